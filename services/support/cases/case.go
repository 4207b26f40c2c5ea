// Package cases is the support service's cases (issue 18, point 1): a
// tenant's customer-service cases from every channel, numbered gap-free
// per tenant, worked through their statuses (Transitions), with their
// thread of public replies and internal notes (Entry), merged when they
// are duplicates and split when a reply is another matter. The channels
// (email, later chat and phone) open cases and add to their threads
// through the Service's Go API (Open, Append, CaseByMessageID,
// CaseByNumber); SLA changes a case in its own transaction through
// ChangeIn.
package cases

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/tags"
)

// Case is a customer-service case. Number, SLADueAt (package sla's),
// SolvedAt, ClosedAt, MergedInto and the bookkeeping are read-only to the
// API.
type Case struct {
	ID          string `json:"id"`
	Number      int64  `json:"number"`
	Subject     string `json:"subject"`
	Description string `json:"description"`
	// ContactID and AccountID are contacts' records, stored as given.
	ContactID  string `json:"contactId,omitempty"`
	AccountID  string `json:"accountId,omitempty"`
	Channel    string `json:"channel"`
	Type       string `json:"type"`
	Priority   string `json:"priority"`
	Status     string `json:"status"`
	QueueID    string `json:"queueId,omitempty"`
	AssigneeID string `json:"assigneeId,omitempty"`
	// Tags are names, normalised as contacts' (libs/tags).
	Tags []string `json:"tags"`
	// CustomFields are the values of the tenant's custom fields of cases
	// by key (libs/customfields), checked against their definitions.
	CustomFields customfields.Values `json:"customFields"`
	Links        []Link              `json:"links"`
	Language     string              `json:"language"`
	SLADueAt     *time.Time          `json:"slaDueAt,omitempty"`
	SolvedAt     *time.Time          `json:"solvedAt,omitempty"`
	ClosedAt     *time.Time          `json:"closedAt,omitempty"`
	MergedInto   string              `json:"mergedInto,omitempty"`
	CreatedBy    string              `json:"createdBy"`
	CreatedAt    time.Time           `json:"createdAt"`
	UpdatedAt    time.Time           `json:"updatedAt"`
	Version      int64               `json:"version"`
}

// Link is a record a case is linked to: another context's (an
// opportunity, a contract, an asset) or another case (a split's, a
// follow-up's).
type Link struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// LinkTypes are the types of a Link.
var LinkTypes = []string{"opportunity", "contract", "asset", "case"}

// Channels are the channels a case comes from.
var Channels = []string{"email", "portal", "chat", "phone", "api"}

// Priorities are a case's priorities, lowest first.
var Priorities = []string{"low", "normal", "high", "urgent"}

// The statuses of a case.
const (
	StatusNew             = "new"
	StatusOpen            = "open"
	StatusPendingCustomer = "pending_customer"
	StatusOnHold          = "on_hold"
	StatusSolved          = "solved"
	StatusClosed          = "closed"
)

// Statuses are the statuses of a case, in the order of its life.
var Statuses = []string{StatusNew, StatusOpen, StatusPendingCustomer, StatusOnHold, StatusSolved, StatusClosed}

// Transitions are the statuses a case may move to from each: worked
// (open), waiting on the customer or on hold, solved; only a solved case
// is closed, and it reopens within the tenant's reopen window
// (Settings.ReopenDays); closed is final, and nothing goes back to new.
var Transitions = map[string][]string{
	StatusNew:             {StatusOpen, StatusPendingCustomer, StatusOnHold, StatusSolved},
	StatusOpen:            {StatusPendingCustomer, StatusOnHold, StatusSolved},
	StatusPendingCustomer: {StatusOpen, StatusOnHold, StatusSolved},
	StatusOnHold:          {StatusOpen, StatusPendingCustomer, StatusSolved},
	StatusSolved:          {StatusOpen, StatusClosed},
}

// Active reports whether a case in status is being worked: not solved
// nor closed (the queue view's).
func Active(status string) bool { return status != StatusSolved && status != StatusClosed }

// The bounds of a case.
const (
	maxSubject     = 500
	maxDescription = 100_000
	maxShort       = 100 // characters of a type, an assignee, a language
	maxTags        = 50
	maxLinks       = 50
)

// readOnly are the fields of a Case the service or other packages set.
var readOnly = []string{"id", "number", "slaDueAt", "solvedAt", "closedAt", "mergedInto", "createdBy", "createdAt", "updatedAt", "version"}

// The errors of cases.
var (
	ErrNotFound        = errs.New(errs.NotFound, "case-not-found", "case not found")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "the case changed since you read it; read it again and retry")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrTransition      = errs.New(errs.Unprocessable, "case-status-transition", "the case cannot move to that status")
	ErrClosed          = errs.New(errs.Unprocessable, "case-closed", "the case is closed; it is kept as it was")
	ErrMerge           = errs.New(errs.Unprocessable, "case-merge", "the case cannot be merged into that case")
)

// text trims s and checks it has at most max characters (required: at
// least one).
func text(v *errs.Validator, s *string, field string, max int, required bool) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	if required {
		v.Check(n >= 1 && n <= max, field, fmt.Sprintf("must be 1 to %d characters", max))
		return
	}
	v.Check(n <= max, field, fmt.Sprintf("at most %d characters", max))
}

// normalize validates c's own fields, trimming texts and normalising the
// tags and links, with the defaults of a new case (channel api, priority
// normal, status new); the custom field values need their definitions
// (checkFields), a status move its current status (checkStatus).
func (c *Case) normalize() error {
	v := errs.NewValidator()
	text(v, &c.Subject, "subject", maxSubject, true)
	text(v, &c.Description, "description", maxDescription, false)
	text(v, &c.Type, "type", maxShort, false)
	text(v, &c.AssigneeID, "assigneeId", maxShort, false)
	text(v, &c.Language, "language", maxShort, false)
	if c.Channel == "" {
		c.Channel = "api"
	}
	if c.Priority == "" {
		c.Priority = "normal"
	}
	if c.Status == "" {
		c.Status = StatusNew
	}
	v.Check(slices.Contains(Channels, c.Channel), "channel", "must be one of "+strings.Join(Channels, ", "))
	v.Check(slices.Contains(Priorities, c.Priority), "priority", "must be one of "+strings.Join(Priorities, ", "))
	v.Check(slices.Contains(Statuses, c.Status), "status", "must be one of "+strings.Join(Statuses, ", "))
	for _, f := range []struct{ id, field string }{{c.ContactID, "contactId"}, {c.AccountID, "accountId"}, {c.QueueID, "queueId"}} {
		v.Check(f.id == "" || ids.Valid(f.id), f.field, "must be a UUID")
	}
	c.Tags = tags.Names(v, "tags", c.Tags)
	v.Check(len(c.Tags) <= maxTags, "tags", fmt.Sprintf("at most %d", maxTags))
	if c.Links == nil {
		c.Links = []Link{}
	}
	v.Check(len(c.Links) <= maxLinks, "links", fmt.Sprintf("at most %d", maxLinks))
	for i, l := range c.Links {
		v.Check(slices.Contains(LinkTypes, l.Type), fmt.Sprintf("links/%d/type", i), "must be one of "+strings.Join(LinkTypes, ", "))
		v.Check(ids.Valid(l.ID), fmt.Sprintf("links/%d/id", i), "must be a UUID")
	}
	if c.CustomFields == nil {
		c.CustomFields = customfields.Values{}
	}
	return v.Err()
}

// addLink adds l to c's links unless it is there.
func (c *Case) addLink(l Link) {
	if !slices.Contains(c.Links, l) {
		c.Links = append(c.Links, l)
	}
}

// checkStatus checks c's move from (its current status) to c.Status
// against Transitions, and a reopening (solved to open) against the
// reopen window of reopenDays from c.SolvedAt. A refused move is
// ErrTransition naming status. ChangeIn keeps solvedAt and closedAt.
func (c *Case) checkStatus(from string, reopenDays int, now time.Time) error {
	if from == c.Status {
		return nil
	}
	refuse := func(reason string) error {
		e := ErrTransition.WithDetail("a %s case cannot become %s: %s", from, c.Status, reason)
		e.Fields = []errs.FieldError{{Field: "status", Reason: reason}}
		return e
	}
	switch {
	case from == StatusClosed:
		return refuse("a closed case is final")
	case !slices.Contains(Transitions[from], c.Status):
		return refuse("it may become " + strings.Join(Transitions[from], ", "))
	case from == StatusSolved && c.Status == StatusOpen && !c.reopenable(reopenDays, now):
		return refuse(fmt.Sprintf("it was solved more than %d days ago (the reopen window)", reopenDays))
	}
	return nil
}

// reopenable reports whether the solved case c is within the reopen
// window of reopenDays at now.
func (c *Case) reopenable(reopenDays int, now time.Time) bool {
	return c.SolvedAt == nil || !now.After(c.SolvedAt.AddDate(0, 0, reopenDays))
}
