package marketingdb

// The entities and verbs of package forms's events.
const ()

// formsEvents are the events package forms publishes.
var formsEvents = map[string][]string{}
