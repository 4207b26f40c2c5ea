package ingest

// contactsHandlers apply the events of rapport.contacts.v1, by type.
var contactsHandlers = map[string]apply{}
