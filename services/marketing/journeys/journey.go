// Package journeys is the marketing service's journeys (drip programmes):
// a trigger (a segment entered, a form submitted, an event of the
// service's topic) enrols contacts, who go through a graph of steps (send
// a template, wait, branch on a condition or on an open or click, update
// the contact through an event, exit) one step per transaction, durably:
// a job on every replica claims the enrolments due (FOR UPDATE SKIP
// LOCKED) and runs a step and the enrolment's move together, so that no
// step runs twice across restarts and replicas. Re-entry rules say when a
// contact may go through again; a goal reached ends the enrolment as
// converted.
package journeys

import (
	"encoding/json"
	"time"
)

// The statuses of a journey.
const (
	StatusDraft    = "draft"    // being built: enrols no one
	StatusActive   = "active"   // enrols on its trigger, advances its enrolments
	StatusPaused   = "paused"   // neither enrols nor advances (they resume on activation)
	StatusArchived = "archived" // its enrolments exited, its sends completed
)

// The types of a trigger.
const (
	TriggerSegmentEntered = "segment_entered" // a contact entered SegmentID
	TriggerFormSubmitted  = "form_submitted"  // a submission of FormID named a contact
	TriggerEvent          = "event"           // an event of the service's topic (Event), of CampaignID when set
)

// The types of a step.
const (
	StepSend   = "send"
	StepWait   = "wait"
	StepBranch = "branch"
	StepUpdate = "update"
	StepExit   = "exit"
)

// The re-entry rules: a contact enrolled once never again, again whenever
// the trigger fires and it is not enrolled now, or again once After has
// passed since it last entered.
const (
	ReEntryNever  = "never"
	ReEntryAlways = "always"
	ReEntryAfter  = "after"
)

// Journey is a journey: its trigger, its steps (the first is where an
// enrolment starts), its re-entry rule, its goal and its status. Its
// sends are of CampaignID when set.
type Journey struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	CampaignID string    `json:"campaignId,omitempty"`
	Status     string    `json:"status"`
	Trigger    Trigger   `json:"trigger"`
	Steps      []Step    `json:"steps"`
	ReEntry    ReEntry   `json:"reEntry"`
	Goal       *Goal     `json:"goal,omitempty"`
	CreatedBy  string    `json:"createdBy"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	Version    int64     `json:"version"`
}

// Trigger is what enrols a contact: Type with its SegmentID, FormID or
// Event ("message.clicked", an event of the service's topic naming a
// contact) and, for an event, the CampaignID it must name ("" for any).
type Trigger struct {
	Type       string `json:"type"`
	SegmentID  string `json:"segmentId,omitempty"`
	FormID     string `json:"formId,omitempty"`
	Event      string `json:"event,omitempty"`
	CampaignID string `json:"campaignId,omitempty"`
}

// Step is a node of a journey's graph, by Type: send TemplateID on
// Channel; wait Duration (ISO 8601, "P1D", "PT2H") or Until a time of day
// ("09:00", UTC) or a moment (RFC 3339); branch on Condition to Yes or No;
// update the contact (Update); exit. Next is the step after a send, wait
// or update ("" ends the enrolment as completed, as a branch's empty Yes
// or No does).
type Step struct {
	ID         string     `json:"id"`
	Type       string     `json:"type"`
	Next       string     `json:"next,omitempty"`
	TemplateID string     `json:"templateId,omitempty"`
	Channel    string     `json:"channel,omitempty"`
	Duration   string     `json:"duration,omitempty"`
	Until      string     `json:"until,omitempty"`
	Condition  *Condition `json:"condition,omitempty"`
	Yes        string     `json:"yes,omitempty"`
	No         string     `json:"no,omitempty"`
	Update     *Update    `json:"update,omitempty"`
}

// Condition is a branch's test, exactly one of: a Filter over the
// audience contact (the segments' filter language), or whether the
// contact Opened or Clicked the message of a previous send step (its id).
type Condition struct {
	Filter  json.RawMessage `json:"filter,omitempty"`
	Opened  string          `json:"opened,omitempty"`
	Clicked string          `json:"clicked,omitempty"`
}

// Update is the change of the contact an update step asks for, published
// as journey.contact_updated: tags added or removed, or a Field set to
// Value (a contact field or "customFields.<key>").
type Update struct {
	AddTags    []string `json:"addTags,omitempty"`
	RemoveTags []string `json:"removeTags,omitempty"`
	Field      string   `json:"field,omitempty"`
	Value      string   `json:"value,omitempty"`
}

// ReEntry is a journey's re-entry rule: Mode never, always or after (with
// After, an ISO 8601 duration since the last entry).
type ReEntry struct {
	Mode  string `json:"mode"`
	After string `json:"after,omitempty"`
}

// Goal is what converts an enrolment, one of: the contact matching Filter
// or entering SegmentID.
type Goal struct {
	Filter    json.RawMessage `json:"filter,omitempty"`
	SegmentID string          `json:"segmentId,omitempty"`
}

// step is the step id of j, ok false when it has none.
func (j Journey) step(id string) (Step, bool) {
	for _, s := range j.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}
