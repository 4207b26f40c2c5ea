// Package telephony is what a phone system asks of the contacts service:
// who is calling (a screen pop: the contacts and accounts having a number,
// in whatever format it arrives), and logging a call, linked to the caller
// it finds, once per call (package activities stores it).
package telephony

import (
	"time"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// maxMatches bounds the contacts a lookup returns.
const maxMatches = 20

// Match is who has a number: the number in E.164 and the contacts having
// it (the most recently active first) with their accounts. Accounts have no
// numbers of their own: they are found through their contacts.
type Match struct {
	Number   string    `json:"number"`
	Contacts []Contact `json:"contacts"`
	Accounts []Account `json:"accounts"`
}

// Contact is what a screen pop shows of a contact.
type Contact struct {
	ID             string            `json:"id" db:"id"`
	DisplayName    string            `json:"displayName" db:"display_name"`
	JobTitle       string            `json:"jobTitle,omitempty" db:"job_title"`
	AccountID      *string           `json:"accountId,omitempty" db:"account_id"`
	AccountName    string            `json:"accountName,omitempty" db:"account_name"`
	OwnerID        string            `json:"ownerId" db:"owner_id"`
	LifecycleStage string            `json:"lifecycleStage,omitempty" db:"lifecycle_stage"`
	LastActivityAt *customer.UTCTime `json:"lastActivityAt,omitempty" db:"last_activity_at"`
}

// Account is what a screen pop shows of an account.
type Account struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Domain  string `json:"domain,omitempty"`
	OwnerID string `json:"ownerId"`
}

// Call is a call as a telephony system reports it: what a call activity
// holds, with the call's fields at the top level and its external id
// required.
type Call struct {
	ExternalID      string           `json:"externalId"`
	Direction       string           `json:"direction"`
	From            string           `json:"from,omitempty"`
	To              string           `json:"to,omitempty"`
	StartedAt       time.Time        `json:"startedAt"`
	DurationSeconds int              `json:"durationSeconds"`
	Outcome         string           `json:"outcome,omitempty"`
	RecordingURL    string           `json:"recordingUrl,omitempty"`
	Subject         string           `json:"subject,omitempty"`
	Body            string           `json:"body,omitempty"`
	AssigneeID      string           `json:"assigneeId,omitempty"`
	TeamID          string           `json:"teamId,omitempty"`
	Related         []activities.Ref `json:"related,omitempty"`
}
