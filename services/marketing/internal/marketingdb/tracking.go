package marketingdb

// The entities and verbs of package tracking's events.
const ()

// trackingEvents are the events package tracking publishes.
var trackingEvents = map[string][]string{}
