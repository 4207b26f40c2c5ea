package ingest

// supportHandlers apply the events of rapport.support.v1, by type.
var supportHandlers = map[string]apply{}
