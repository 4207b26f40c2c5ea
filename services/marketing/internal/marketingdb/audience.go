package marketingdb

// The entities and verbs of package audience's events: a segment's (or
// static list's) creation, update and deletion, and a contact entering or
// leaving it.
const (
	EntitySegment = "segment"
	VerbEntered   = "entered"
	VerbLeft      = "left"
)

// audienceEvents are the events package audience publishes.
var audienceEvents = map[string][]string{
	EntitySegment: {VerbCreated, VerbUpdated, VerbDeleted, VerbEntered, VerbLeft},
}
