package rm

import "github.com/rapport-crm/rapport/libs/events"

// The entities of the events the reporting service publishes: a saved
// dashboard; a scheduled delivery of a dashboard or report (delivered or
// failed at a due time); a prediction model trained for a tenant; and a
// tenant's read models rebuilt from the topics (the new generation
// switched in).
const (
	EntityDashboard      = "dashboard"
	EntityReportSchedule = "report_schedule"
	EntityModel          = "model"
	EntityReadModels     = "read_models"
)

// The verbs of those events beyond created, updated and deleted.
const (
	VerbCreated   = "created"
	VerbUpdated   = events.VerbUpdated
	VerbDeleted   = events.VerbDeleted
	VerbDelivered = "delivered"
	VerbFailed    = "failed"
	VerbTrained   = "trained"
	VerbRebuilt   = "rebuilt"
)

// Events is the catalogue of the events this service publishes to
// rapport.reporting.v1: what api/asyncapi.yaml and the schemas in
// api/events/ document. outbox.Tx.Emit makes no other event.
var Events = events.Catalogue{Source: "/rapport/reporting", Context: "reporting", Verbs: map[string][]string{
	EntityDashboard:      {VerbCreated, VerbUpdated, VerbDeleted},
	EntityReportSchedule: {VerbCreated, VerbUpdated, VerbDeleted, VerbDelivered, VerbFailed},
	EntityModel:          {VerbTrained},
	EntityReadModels:     {VerbRebuilt},
}}
