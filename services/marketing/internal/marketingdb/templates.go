package marketingdb

// The entities and verbs of package templates's events.
const ()

// templatesEvents are the events package templates publishes.
var templatesEvents = map[string][]string{}
