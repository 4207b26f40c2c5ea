// Package surveys is the support service's satisfaction surveys (issue
// 18, point 9): a CSAT survey mailed to the requester of each solved case
// after a delay, and NPS surveys mailed on a schedule to the requesters
// of the cases solved in the period, each with a signed link (Links) to
// the tenant's portal, answered once before it expires. A low score
// reopens the case and/or asks for the manager to be alerted
// (survey.answered with low and alert), as the tenant's Settings say.
// Results are counted per agent, queue or month.
package surveys

import (
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The kinds of survey.
const (
	KindCSAT = "csat"
	KindNPS  = "nps"
)

// The statuses of a survey.
const (
	StatusPending  = "pending"
	StatusSent     = "sent"
	StatusAnswered = "answered"
)

// The actions on a low score.
const (
	ActionReopen = "reopen"
	ActionAlert  = "alert"
	ActionBoth   = "both"
)

// Actor is who the surveys act as in cases (a low score's reopening).
const Actor = "system:surveys"

// PermPortal is the permission of the portal's principal, the only one
// the public answering routes accept (package portal's).
const PermPortal = "support:portal"

// SendEvery is how often an instance sends the surveys due; NPSEvery how
// often it looks for tenants whose NPS surveys are due.
const (
	SendEvery = time.Minute
	NPSEvery  = time.Hour
)

// The errors of surveys, declared once.
var (
	// ErrNotFound answers a survey link that is forged, malformed,
	// expired or of another tenant, without saying which.
	ErrNotFound = errs.New(errs.NotFound, "survey-not-found", "survey not found")
	// ErrAnswered answers a second answer to a survey.
	ErrAnswered = errs.New(errs.Conflict, "survey-answered", "this survey has already been answered")
	// ErrRelay marks a survey the mail relay did not take (the Sender
	// tries it again later).
	ErrRelay = errs.New(errs.Unavailable, "survey-relay", "the mail relay did not take the survey")
)
