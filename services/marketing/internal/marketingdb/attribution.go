package marketingdb

// The entities and verbs of package attribution's events.
const ()

// attributionEvents are the events package attribution publishes.
var attributionEvents = map[string][]string{}
