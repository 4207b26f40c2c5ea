// Package pgstore holds what the sales service's stores share beyond
// libs/pgrecord: the catalogue of the events the service publishes.
package pgstore

import "github.com/rapport-crm/rapport/libs/events"

// The verbs of the events this service publishes.
const (
	VerbCreated = "created"
	VerbUpdated = events.VerbUpdated
	VerbDeleted = events.VerbDeleted
	// VerbRestored is a soft-deleted record brought back.
	VerbRestored = "restored"
	// VerbStageChanged is an opportunity moved to another stage.
	VerbStageChanged = "stage_changed"
	// VerbWon and VerbLost are an opportunity entering a won or a lost
	// stage from a stage of another kind.
	VerbWon  = "won"
	VerbLost = "lost"
	// VerbEntrySet and VerbEntryDeleted are a product's price set in, or
	// removed from, a price book: the entry's own event, the book's
	// subject, rather than the whole book again.
	VerbEntrySet     = "entry_set"
	VerbEntryDeleted = "entry_deleted"
	// VerbOverridden is a manager's override of a forecast figure set.
	VerbOverridden = "overridden"
	// VerbConverted is a lead converted into contacts' records and,
	// optionally, an opportunity (package leads).
	VerbConverted = "converted"
	// The moves of a quote through its states (package quotes): submitted
	// for approval, a level approved or the quote rejected, sent to the
	// customer, accepted or declined by them.
	VerbSubmitted = "submitted"
	VerbApproved  = "approved"
	VerbRejected  = "rejected"
	VerbSent      = "sent"
	VerbAccepted  = "accepted"
	VerbDeclined  = "declined"
	// VerbAssigned is a lead given an owner by the assignment rules, and
	// VerbSLAMissed its first-touch deadline passed with no activity
	// touching it (package leads).
	VerbAssigned  = "assigned"
	VerbSLAMissed = "sla_missed"
	// VerbCompleted is a CSV import of leads ended, completed, failed or
	// cancelled (libs/importjob).
	VerbCompleted = "completed"
)

// The entities of the events this service publishes.
const (
	// EntityPipeline is a pipeline with its stages (package deals).
	EntityPipeline = "pipeline"
	// EntityOpportunity is an opportunity (package deals).
	EntityOpportunity = "opportunity"
	// EntityProduct is a product of the catalogue (package catalog).
	EntityProduct = "product"
	// EntityPriceBook is a price book, and its entries' changes (package
	// catalog).
	EntityPriceBook = "pricebook"
	// EntityForecast is a forecast's override (package forecasts).
	EntityForecast = "forecast"
	// EntityQuote is a quote (package quotes).
	EntityQuote = "quote"
	// EntityLead is a lead (package leads).
	EntityLead = "lead"
	// EntityCustomField is a custom field definition of leads or of
	// opportunities (libs/customdefs).
	EntityCustomField = "custom_field"
	// EntityImport is a CSV import of leads (libs/importjob, package
	// leads).
	EntityImport = "import"
)

// Events is the catalogue of the events this service publishes, per entity:
// what api/asyncapi.yaml and the schemas in api/events/ document.
// outbox.Tx.Emit makes no other event.
var Events = events.Catalogue{Source: "/rapport/sales", Context: "sales", Verbs: map[string][]string{
	EntityPipeline:    {VerbCreated, VerbUpdated, VerbDeleted},
	EntityOpportunity: {VerbCreated, VerbUpdated, VerbDeleted, VerbRestored, VerbStageChanged, VerbWon, VerbLost},
	EntityProduct:     {VerbCreated, VerbUpdated, VerbDeleted},
	EntityPriceBook:   {VerbCreated, VerbUpdated, VerbDeleted, VerbEntrySet, VerbEntryDeleted},
	EntityForecast:    {VerbOverridden},
	EntityQuote:       {VerbCreated, VerbUpdated, VerbSubmitted, VerbApproved, VerbRejected, VerbSent, VerbAccepted, VerbDeclined},
	EntityLead:        {VerbCreated, VerbUpdated, VerbDeleted, VerbRestored, VerbConverted, VerbAssigned, VerbSLAMissed},
	EntityCustomField: {VerbCreated, VerbUpdated, VerbDeleted},
	EntityImport:      {VerbCompleted},
}}
