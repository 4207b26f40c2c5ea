package marketingdb

// The entities and verbs of package templates's events: EntityTemplate is
// an email or SMS template.
const (
	EntityTemplate = "template"
)

// templatesEvents are the events package templates publishes.
var templatesEvents = map[string][]string{
	EntityTemplate: {VerbCreated, VerbUpdated, VerbDeleted},
}
