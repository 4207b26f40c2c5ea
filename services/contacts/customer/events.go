package customer

import "github.com/rapport-crm/rapport/libs/events"

// The verbs of the events this service publishes.
const (
	VerbCreated  = "created"
	VerbUpdated  = events.VerbUpdated
	VerbDeleted  = "deleted"
	VerbRestored = "restored"
	// VerbMerged is the verb of a merge's event. It alone carries the
	// winner's full state: a merge emits no updated event for the winner and
	// no deleted event for the loser.
	VerbMerged = "merged"
	// VerbCompleted is a task's completion; VerbReminderDue a task's or a
	// meeting's reminder firing.
	VerbCompleted   = "completed"
	VerbReminderDue = "reminder_due"
	// VerbErased is a contact's erasure (package privacy): its payload
	// names the contact, the tenant, when and by whom, and nothing of the
	// person, so that other services erase their copies.
	VerbErased = "erased"
)

// The event entities of the tenant's catalogue — its tags, custom field
// definitions and saved views; records' are EntityContact and EntityAccount.
const (
	EventTag         = "tag"
	EventCustomField = "custom_field"
	EventSavedView   = "saved_view"
	// EventActivity is the entity of activities' events: calls, emails,
	// meetings, notes and tasks.
	EventActivity = "activity"
	// EventImport is the entity of a CSV import's event: import.completed,
	// published once when the import ends, however it ends.
	EventImport = "import"
)

// Events is the catalogue of the events this service publishes, per
// entity: what api/asyncapi.yaml and the schemas in api/events/ document.
// Events.New makes no other event.
var Events = events.Catalogue{Source: "/rapport/contacts", Context: "contacts", Verbs: map[string][]string{
	EntityContact:    {VerbCreated, VerbUpdated, VerbDeleted, VerbRestored, VerbMerged, VerbErased},
	EntityAccount:    {VerbCreated, VerbUpdated, VerbDeleted, VerbRestored, VerbMerged},
	EventTag:         {VerbCreated, VerbUpdated, VerbDeleted},
	EventCustomField: {VerbCreated, VerbUpdated, VerbDeleted},
	EventSavedView:   {VerbCreated, VerbUpdated, VerbDeleted},
	EventActivity:    {VerbCreated, VerbUpdated, VerbDeleted, VerbCompleted, VerbReminderDue},
	EventImport:      {VerbCompleted},
}}
