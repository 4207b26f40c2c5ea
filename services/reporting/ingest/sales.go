package ingest

// salesHandlers apply the events of rapport.sales.v1, by type.
var salesHandlers = map[string]apply{}
