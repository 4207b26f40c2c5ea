package ingest

import "time"

// The support event types the read models use
// (services/support/api/events). case.escalated is not among them: the
// priority or assignee it sets comes in the case.updated beside it, and it
// carries no version.
const (
	typeCaseCreated       = "dev.rapport.support.case.created.v1"
	typeCaseUpdated       = "dev.rapport.support.case.updated.v1"
	typeCaseStatusChanged = "dev.rapport.support.case.status_changed.v1"
	typeCaseMerged        = "dev.rapport.support.case.merged.v1"
	typeCaseDeleted       = "dev.rapport.support.case.deleted.v1"
	typeCaseEntryCreated  = "dev.rapport.support.case_entry.created.v1"
	typeCaseSLABreached   = "dev.rapport.support.case.sla_breached.v1"
	typeSurveyAnswered    = "dev.rapport.support.survey.answered.v1"
)

// casePayload is what the read models use of a case's full state, which
// every case.* event but escalated and sla_breached carries (deleted: its
// last state; merged: the merged-away case's, with mergedInto).
type casePayload struct {
	ID         string     `json:"id"`
	Number     int64      `json:"number"`
	Channel    string     `json:"channel"`
	QueueID    string     `json:"queueId"`
	Priority   string     `json:"priority"`
	Type       string     `json:"type"`
	Status     string     `json:"status"`
	AssigneeID string     `json:"assigneeId"`
	ContactID  string     `json:"contactId"`
	AccountID  string     `json:"accountId"`
	CreatedAt  time.Time  `json:"createdAt"`
	UpdatedAt  time.Time  `json:"updatedAt"`
	SolvedAt   *time.Time `json:"solvedAt"`
	ClosedAt   *time.Time `json:"closedAt"`
	MergedInto string     `json:"mergedInto"`
	Version    int64      `json:"version"`
}

// caseEntryPayload is what the read models use of a case's thread entry
// (case_entry.created): only agents' public ones are responses.
type caseEntryPayload struct {
	CaseID     string    `json:"caseId"`
	Public     bool      `json:"public"`
	AuthorType string    `json:"authorType"`
	CreatedAt  time.Time `json:"createdAt"`
}

// breachPayload is a case's SLA breach (case.sla_breached).
type breachPayload struct {
	CaseID string    `json:"caseId"`
	Target string    `json:"target"`
	DueAt  time.Time `json:"dueAt"`
}

// surveyPayload is what the read models use of an answered survey
// (survey.answered).
type surveyPayload struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	Score      int       `json:"score"`
	CaseID     string    `json:"caseId"`
	QueueID    string    `json:"queueId"`
	AgentID    string    `json:"agentId"`
	ContactID  string    `json:"contactId"`
	AnsweredAt time.Time `json:"answeredAt"`
}
