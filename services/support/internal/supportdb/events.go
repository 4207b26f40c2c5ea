// Package supportdb holds what the support service's stores share beyond
// libs/pgrecord: the catalogue of the events the service publishes.
package supportdb

import "github.com/rapport-crm/rapport/libs/events"

// The verbs of the events this service publishes.
const (
	VerbCreated = "created"
	VerbUpdated = events.VerbUpdated
	VerbDeleted = events.VerbDeleted
)

// The entities of the events this service publishes.
const ()

// Events is the catalogue of the events this service publishes, per entity:
// what api/asyncapi.yaml and the schemas in api/events/ document.
// outbox.Tx.Emit makes no other event.
var Events = events.Catalogue{Source: "/rapport/support", Context: "support", Verbs: map[string][]string{
	// cases events
	// sla events
	// kb events
	// email events
}}
