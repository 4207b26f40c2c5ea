package marketingdb

// The entities and verbs of package audience's events.
const ()

// audienceEvents are the events package audience publishes.
var audienceEvents = map[string][]string{}
