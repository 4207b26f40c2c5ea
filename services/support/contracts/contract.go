// Package contracts is the support service's service contracts and repair
// work orders (issue 18, point 8; 合约管理, 维修服务): a tenant's contracts
// with its accounts, their dates, coverage hours, the SLA they grant and
// their entitlement (a number of cases or of hours) with what is left of
// it, counted as the account's cases are opened (case.created, Handler)
// and as work orders' labour is completed; reminders before a contract
// ends and its expiry (Expiry); and the on-site work orders of cases, with
// their parts and labour lines, status and the customer's sign-off.
package contracts

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// Contract is a service contract with an account. Number, the
// entitlement's Used and Remaining, ExpiringAt and the bookkeeping are
// read-only to the API.
type Contract struct {
	ID        string `json:"id"`
	Number    int64  `json:"number"`
	AccountID string `json:"accountId"`
	Name      string `json:"name"`
	// StartDate and EndDate are days (YYYY-MM-DD, UTC), EndDate the last
	// day covered.
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate"`
	// CalendarID is the business calendar of the coverage hours and
	// SLAPolicyID the SLA policy granted, package sla's; optional.
	CalendarID  string      `json:"calendarId,omitempty"`
	SLAPolicyID string      `json:"slaPolicyId,omitempty"`
	Entitlement Entitlement `json:"entitlement"`
	Status      string      `json:"status"`
	// ReminderDays is how many days before EndDate contract.expiring is
	// published (once).
	ReminderDays int        `json:"renewalReminderDays"`
	ExpiringAt   *time.Time `json:"expiringAt,omitempty"`
	CreatedBy    string     `json:"createdBy"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
	Version      int64      `json:"version"`
	// units are what the entitlement used: cases, or minutes of labour.
	units int64
}

// Entitlement is what a contract entitles its account to: Total cases
// (kind cases) or hours of labour (kind hours). Used and Remaining are
// derived from its usage (in hours, to the minute, for kind hours).
type Entitlement struct {
	Kind      string  `json:"kind"`
	Total     int     `json:"total"`
	Used      float64 `json:"used"`
	Remaining float64 `json:"remaining"`
}

// NewContract is the input of a new contract: a Contract whose
// renewalReminderDays, when the input has none, is DefaultReminderDays.
type NewContract struct {
	Contract
	ReminderDays *int `json:"renewalReminderDays"`
}

// contract is the Contract n describes.
func (n NewContract) contract() Contract {
	c := n.Contract
	c.ReminderDays = DefaultReminderDays
	if n.ReminderDays != nil {
		c.ReminderDays = *n.ReminderDays
	}
	return c
}

// The kinds of an entitlement.
const (
	KindCases = "cases"
	KindHours = "hours"
)

// Kinds are the kinds of an entitlement.
var Kinds = []string{KindCases, KindHours}

// The statuses of a contract.
const (
	StatusDraft     = "draft"
	StatusActive    = "active"
	StatusExpired   = "expired"
	StatusCancelled = "cancelled"
)

// Statuses are a contract's statuses.
var Statuses = []string{StatusDraft, StatusActive, StatusExpired, StatusCancelled}

// Transitions are the statuses a contract may move to from each: a draft
// is activated or cancelled, an active contract expires (the Expiry job,
// or by hand) or is cancelled, an expired one is renewed (active again,
// with an end date not yet past); cancelled is final.
var Transitions = map[string][]string{
	StatusDraft:   {StatusActive, StatusCancelled},
	StatusActive:  {StatusExpired, StatusCancelled},
	StatusExpired: {StatusActive, StatusCancelled},
}

// The bounds of a contract.
const (
	maxName         = 200
	maxTotal        = 1_000_000
	maxReminderDays = 365
	// DefaultReminderDays is the reminder of a new contract that gives
	// none.
	DefaultReminderDays = 30
	dateLayout          = "2006-01-02"
)

// contractReadOnly are the fields of a Contract the service sets.
var contractReadOnly = []string{"id", "number", "expiringAt", "createdBy", "createdAt", "updatedAt", "version"}

// The errors of contracts.
var (
	ErrNotFound          = errs.New(errs.NotFound, "contract-not-found", "service contract not found")
	ErrVersionMismatch   = errs.New(errs.PreconditionFailed, "version-mismatch", "the record changed since you read it; read it again and retry")
	ErrIfMatchRequired   = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrContractStatus    = errs.New(errs.Unprocessable, "contract-status-transition", "the contract cannot move to that status")
	ErrContractCancelled = errs.New(errs.Unprocessable, "contract-cancelled", "the contract is cancelled; it is kept as it was")
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

// day parses a date field (YYYY-MM-DD), naming it when it is not one.
func day(v *errs.Validator, s, field string) (time.Time, bool) {
	d, err := time.Parse(dateLayout, s)
	v.Check(err == nil, field, "must be a date (YYYY-MM-DD)")
	return d, err == nil
}

// normalize validates c's own fields with the defaults of a new contract
// (status draft, the default reminder when none is given on create).
func (c *Contract) normalize() error {
	v := errs.NewValidator()
	text(v, &c.Name, "name", maxName, true)
	v.Check(ids.Valid(c.AccountID), "accountId", "must be a UUID")
	for _, f := range []struct{ id, field string }{{c.CalendarID, "calendarId"}, {c.SLAPolicyID, "slaPolicyId"}} {
		v.Check(f.id == "" || ids.Valid(f.id), f.field, "must be a UUID")
	}
	start, okStart := day(v, c.StartDate, "startDate")
	end, okEnd := day(v, c.EndDate, "endDate")
	v.Check(!okStart || !okEnd || !end.Before(start), "endDate", "must not be before startDate")
	if c.Status == "" {
		c.Status = StatusDraft
	}
	v.Check(slices.Contains(Statuses, c.Status), "status", "must be one of "+strings.Join(Statuses, ", "))
	v.Check(slices.Contains(Kinds, c.Entitlement.Kind), "entitlement/kind", "must be one of "+strings.Join(Kinds, ", "))
	v.Check(c.Entitlement.Total >= 0 && c.Entitlement.Total <= maxTotal, "entitlement/total", fmt.Sprintf("must be 0 to %d", maxTotal))
	v.Check(c.ReminderDays >= 0 && c.ReminderDays <= maxReminderDays, "renewalReminderDays", fmt.Sprintf("must be 0 to %d", maxReminderDays))
	return v.Err()
}

// checkStatus checks the move of c from status from to c.Status against
// Transitions; a renewal (expired to active) needs an end date not past
// at today. A refused move is ErrContractStatus naming status.
func (c *Contract) checkStatus(from string, today string) error {
	if from == c.Status {
		return nil
	}
	refuse := func(reason string) error {
		e := ErrContractStatus.WithDetail("a %s contract cannot become %s: %s", from, c.Status, reason)
		e.Fields = []errs.FieldError{{Field: "status", Reason: reason}}
		return e
	}
	switch {
	case from == StatusCancelled:
		return refuse("a cancelled contract is final")
	case !slices.Contains(Transitions[from], c.Status):
		return refuse("it may become " + strings.Join(Transitions[from], ", "))
	case c.Status == StatusActive && c.EndDate < today:
		return refuse("its endDate is past; extend it to renew the contract")
	}
	return nil
}

// covers reports whether c is active and covers the day today.
func (c *Contract) covers(today string) bool {
	return c.Status == StatusActive && c.StartDate <= today && today <= c.EndDate
}

// withUsage sets c's entitlement's Used and Remaining from units used
// (cases, or minutes of labour).
func (c *Contract) withUsage(units int64) {
	c.units = units
	used, total := float64(units), float64(c.Entitlement.Total)
	if c.Entitlement.Kind == KindHours {
		used = float64(units) / 60
	}
	c.Entitlement.Used = float64(int64(used*100+0.5)) / 100
	c.Entitlement.Remaining = max(0, float64(int64((total-used)*100+0.5))/100)
}

// today is the day of t in UTC, as a contract's dates are written.
func today(t time.Time) string { return t.UTC().Format(dateLayout) }
