package marketingdb

// The entities and verbs of package campaigns's events.
const ()

// campaignsEvents are the events package campaigns publishes.
var campaignsEvents = map[string][]string{}
