package marketingdb

// The entities and verbs of package messaging's events.
const ()

// messagingEvents are the events package messaging publishes.
var messagingEvents = map[string][]string{}
