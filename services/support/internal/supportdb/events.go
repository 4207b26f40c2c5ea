// Package supportdb holds what the support service's contexts share beyond
// libs/pgrecord: the permissions of the support module and the catalogue
// of the events the service publishes.
package supportdb

import "github.com/rapport-crm/rapport/libs/events"

// The verbs of the events this service publishes.
const (
	VerbCreated = "created"
	VerbUpdated = events.VerbUpdated
	VerbDeleted = events.VerbDeleted
)

// The entities of the events this service publishes.
const (
	// EntityCase is a case (package cases); EntityCaseEntry a reply or
	// note of its thread; EntityCustomField a custom field definition of
	// cases (libs/customdefs). VerbStatusChanged and VerbMerged are cases'.
	EntityCase        = "case"
	EntityCaseEntry   = "case_entry"
	EntityCustomField = "custom_field"
	VerbStatusChanged = "status_changed"
	VerbMerged        = "merged"
)

// The entities and verbs of the knowledge base (package kb): its articles
// and their categories.
const (
	EntityArticle    = "article"
	EntityKBCategory = "kb_category"
	VerbPublished    = "published"
	VerbArchived     = "archived"
)

// The entities and verbs of SLA (package sla): its business calendars and
// policies, and its verbs of cases.
const (
	EntityBusinessCalendar = "business_calendar"
	EntitySLAPolicy        = "sla_policy"
	VerbSLAWarning         = "sla_warning"
	VerbSLABreached        = "sla_breached"
	VerbEscalated          = "escalated"
)

// The entities of queues (package queues): its queues and routing rules.
const (
	EntitySupportQueue = "support_queue"
	EntityRoutingRule  = "routing_rule"
)

// The entities and verbs of contracts (package contracts): service
// contracts and repair work orders.
const (
	EntityContract  = "contract"
	EntityWorkOrder = "work_order"
	VerbExpiring    = "expiring"
	VerbExpired     = "expired"
	VerbSignedOff   = "signed_off"
)

// The entity and verbs of surveys (package surveys): a CSAT or NPS survey
// sent, then answered.
const (
	EntitySurvey = "survey"
	VerbSent     = "sent"
	VerbAnswered = "answered"
)

// The entities of chat (package chat): its sessions.
const (
	EntityChatSession = "chat_session"
)

// Events is the catalogue of the events this service publishes, per entity:
// what api/asyncapi.yaml and the schemas in api/events/ document.
// outbox.Tx.Emit makes no other event.
var Events = events.Catalogue{Source: "/rapport/support", Context: "support", Verbs: map[string][]string{
	// cases events
	EntityCase:        {VerbCreated, VerbUpdated, VerbStatusChanged, VerbMerged, VerbDeleted, VerbSLAWarning, VerbSLABreached, VerbEscalated},
	EntityCaseEntry:   {VerbCreated},
	EntityCustomField: {VerbCreated, VerbUpdated, VerbDeleted},
	// sla events
	EntityBusinessCalendar: {VerbCreated, VerbUpdated, VerbDeleted},
	EntitySLAPolicy:        {VerbCreated, VerbUpdated, VerbDeleted},
	// queues events
	EntitySupportQueue: {VerbCreated, VerbUpdated, VerbDeleted},
	EntityRoutingRule:  {VerbCreated, VerbUpdated, VerbDeleted},
	// kb events
	EntityArticle:    {VerbCreated, VerbUpdated, VerbPublished, VerbArchived, VerbDeleted},
	EntityKBCategory: {VerbCreated, VerbUpdated, VerbDeleted},
	// contracts events
	EntityContract:  {VerbCreated, VerbUpdated, VerbDeleted, VerbExpiring, VerbExpired},
	EntityWorkOrder: {VerbCreated, VerbUpdated, VerbStatusChanged, VerbSignedOff},
	// email events
	// chat events
	EntityChatSession: {VerbCreated, VerbUpdated},
	// surveys events
	EntitySurvey: {VerbSent, VerbAnswered},
}}

// The permissions of the support module: reading; working cases (create,
// update, reply, note, merge, split); configuring (calendars, SLA
// policies, mailboxes, the knowledge base's publishing, deletions).
const (
	PermRead  = "support:read"
	PermWrite = "support:write"
	PermAdmin = "support:admin"
)
