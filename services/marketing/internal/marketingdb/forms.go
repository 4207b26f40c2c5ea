package marketingdb

// The entities and verbs of package forms's events: a web form's
// creation, update and deletion, and form.submitted (its subject the
// submission's id) when a submission is accepted (at once, or when its
// double opt-in is confirmed).
const (
	EntityForm    = "form"
	VerbSubmitted = "submitted"
)

// formsEvents are the events package forms publishes.
var formsEvents = map[string][]string{
	EntityForm: {VerbCreated, VerbUpdated, VerbDeleted, VerbSubmitted},
}
