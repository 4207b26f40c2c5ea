package ingest

// marketingHandlers apply the events of rapport.marketing.v1, by type.
var marketingHandlers = map[string]apply{}
