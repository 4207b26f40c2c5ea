package marketingdb

// The entities and verbs of package journeys's events.
const ()

// journeysEvents are the events package journeys publishes.
var journeysEvents = map[string][]string{}
