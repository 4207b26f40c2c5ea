package pgstore

import "github.com/rapport-crm/rapport/libs/events"

// The verbs of the events this service publishes.
const (
	VerbCreated = "created"
	VerbUpdated = events.VerbUpdated
	VerbDeleted = "deleted"
)

// The entities of the events this service publishes.
const (
	// EntityPipeline is a pipeline with its stages (package deals).
	EntityPipeline = "pipeline"
)

// Events is the catalogue of the events this service publishes, per entity:
// what api/asyncapi.yaml and the schemas in api/events/ document.
// outbox.Tx.Emit makes no other event.
var Events = events.Catalogue{Source: "/rapport/sales", Context: "sales", Verbs: map[string][]string{
	EntityPipeline: {VerbCreated, VerbUpdated, VerbDeleted},
}}
