// Package quotes is the quotes context of the sales service: a quote made
// from an opportunity (a snapshot of its line items, price book, currency,
// account and contact), numbered by a gap-free sequence per tenant and
// year (Q-2026-000123), revised into new revisions of the same number,
// moved through its states (draft, pending approval, approved or rejected,
// sent, accepted or declined) with the approvals a tenant's thresholds
// ask of the managers of the owner's team, and rendered as HTML and PDF.
package quotes

import (
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// The states of a quote.
const (
	StateDraft    = "draft"
	StatePending  = "pendingApproval"
	StateApproved = "approved"
	StateRejected = "rejected"
	StateSent     = "sent"
	StateAccepted = "accepted"
	StateDeclined = "declined"
)

// The actions on a quote, each a route's (POST /v1/quotes/{id}/submit)
// but create.
const (
	ActionCreate  = "create"
	ActionRevise  = "revise"
	ActionSubmit  = "submit"
	ActionApprove = "approve"
	ActionReject  = "reject"
	ActionSend    = "send"
	ActionAccept  = "accept"
	ActionDecline = "decline"
)

// Quote is an offer made from an opportunity: its number, its current
// revision's lines and total, its state, the approval it needs and the
// decisions taken on it. Version is the quote's ETag, which every change
// raises; Revision counts its revisions (1 for the first).
type Quote struct {
	ID     string `json:"id"`
	Number string `json:"number"`
	// Revision is the number of the current revision; older ones stay
	// readable (GET /v1/quotes/{id}/revisions/{n}).
	Revision      int    `json:"revision"`
	OpportunityID string `json:"opportunityId"`
	// Name is the opportunity's name when the revision was made.
	Name      string `json:"name"`
	AccountID string `json:"accountId,omitempty"`
	ContactID string `json:"contactId,omitempty"`
	// AccountName and ContactName are the account's name and the
	// contact's display name as contacts showed them to whoever made the
	// revision (empty when unknown: Names).
	AccountName string           `json:"accountName,omitempty"`
	ContactName string           `json:"contactName,omitempty"`
	OwnerID     string           `json:"ownerId"`
	TeamID      string           `json:"teamId,omitempty"`
	PriceBookID string           `json:"priceBookId"`
	Currency    string           `json:"currency"`
	LineItems   []deals.LineItem `json:"lineItems"`
	Total       money.Money      `json:"total"`
	State       string           `json:"state"`
	// ApprovalLevels is how many levels of approval the current revision
	// needs (0 to 2, from the tenant's thresholds when it was submitted);
	// ApprovedLevels how many it has.
	ApprovalLevels int `json:"approvalLevels"`
	ApprovedLevels int `json:"approvedLevels"`
	// Approvers are the users who may decide the pending level; levels
	// holds them per level, fixed on submitting.
	Approvers []string `json:"approvers"`
	levels    [][]string
	// Decisions are the approvers' approvals and rejections, oldest
	// first; History every move of the quote, the decisions among them.
	// Lists leave both out.
	Decisions []Step    `json:"decisions,omitempty"`
	History   []Step    `json:"history,omitempty"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int64     `json:"version"`
}

// Step is a move of a quote: its action (create, revise, submit, approve,
// reject, send, accept, decline), the states it left and entered, the
// revision and for a decision the level decided, who and when, and the
// comment given.
type Step struct {
	Revision int       `json:"revision"`
	Action   string    `json:"action"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Level    int       `json:"level,omitempty"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Comment  string    `json:"comment,omitempty"`
}

// Revision is one revision of a quote as it was made: its lines, total and
// the opportunity's details then.
type Revision struct {
	QuoteID     string           `json:"quoteId"`
	Number      string           `json:"number"`
	Revision    int              `json:"revision"`
	Name        string           `json:"name"`
	AccountID   string           `json:"accountId,omitempty"`
	ContactID   string           `json:"contactId,omitempty"`
	AccountName string           `json:"accountName,omitempty"`
	ContactName string           `json:"contactName,omitempty"`
	PriceBookID string           `json:"priceBookId"`
	Currency    string           `json:"currency"`
	LineItems   []deals.LineItem `json:"lineItems"`
	Total       money.Money      `json:"total"`
	CreatedBy   string           `json:"createdBy"`
	CreatedAt   time.Time        `json:"createdAt"`
}

// Transition is a move of a quote as its event carries it: the quote
// after it and the step.
type Transition struct {
	Quote *Quote `json:"quote"`
	Step  Step   `json:"step"`
}

// The bounds of a quote.
const (
	maxComment = 2000
	numberFmt  = "Q-%d-%06d"
)

// number is the quote number of the n-th quote of a tenant in year.
func number(year int, n int64) string { return fmt.Sprintf(numberFmt, year, n) }

// The errors of quotes.
var (
	ErrQuoteNotFound    = errs.New(errs.NotFound, "quote-not-found", "quote not found")
	ErrRevisionNotFound = errs.New(errs.NotFound, "revision-not-found", "the quote has no such revision")
	ErrNoLines          = errs.New(errs.Unprocessable, "no-line-items", "the opportunity has no line items to quote")
	ErrState            = errs.New(errs.Conflict, "quote-state", "the quote's state does not allow this")
	ErrNotApprover      = errs.New(errs.Forbidden, "not-the-approver", "only the pending approver may approve or reject the quote")
	ErrNoApprover       = errs.New(errs.Unprocessable, "no-approver", "the quote needs an approval but no manager can give it")
	ErrNoDirectory      = errs.New(errs.Unavailable, "directory-unavailable", "the team directory is not available to find the approver")
	ErrVersion          = errs.New(errs.PreconditionFailed, "version-mismatch", "the quote changed since you read it; read it again and retry")
)

// checkComment validates a transition's comment.
func checkComment(c string) error {
	v := errs.NewValidator()
	v.Check(len([]rune(c)) <= maxComment, "comment", fmt.Sprintf("at most %d characters", maxComment))
	return v.Err()
}

// transitions are the states each action moves a quote from, and to.
var transitions = map[string]struct {
	from []string
	to   string
}{
	ActionSend:    {from: []string{StateApproved}, to: StateSent},
	ActionAccept:  {from: []string{StateSent}, to: StateAccepted},
	ActionDecline: {from: []string{StateSent}, to: StateDeclined},
}

// revisable are the states from which a quote may be revised: every one
// but accepted, which is final, and pending approval, which is decided
// first.
var revisable = []string{StateDraft, StateApproved, StateRejected, StateSent, StateDeclined}

// record appends s to q's history, and to its decisions when it decided
// an approval.
func (q *Quote) record(s Step) {
	q.History = append(q.History, s)
	if s.Action == ActionApprove || s.Action == ActionReject {
		q.Decisions = append(q.Decisions, s)
	}
}

// settleApprovers sets Approvers to the users who may decide the pending
// level: none unless the quote is pending approval.
func (q *Quote) settleApprovers() {
	q.Approvers = []string{}
	if q.State == StatePending && q.ApprovedLevels < len(q.levels) {
		q.Approvers = q.levels[q.ApprovedLevels]
	}
}
