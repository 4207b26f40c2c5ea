package sla

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// BusinessCalendar is a tenant's named business-hours calendar: its
// Definition, which SLA policies time their targets on.
type BusinessCalendar struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Definition
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int64     `json:"version"`
}

// calendarReadOnly are the fields of a BusinessCalendar the service sets.
var calendarReadOnly = []string{"id", "createdAt", "updatedAt", "version"}

// maxName is the longest name of a calendar or a policy, in characters.
const maxName = 200

// The errors of calendars and policies.
var (
	ErrCalendarNotFound = errs.New(errs.NotFound, "business-calendar-not-found", "business calendar not found")
	ErrCalendarExists   = errs.New(errs.Conflict, "business-calendar-exists", "a business calendar with this name already exists")
	ErrCalendarInUse    = errs.New(errs.Conflict, "business-calendar-in-use", "SLA policies use this business calendar")
	ErrPolicyNotFound   = errs.New(errs.NotFound, "sla-policy-not-found", "SLA policy not found")
	ErrPolicyExists     = errs.New(errs.Conflict, "sla-policy-exists", "an SLA policy with this name already exists")
	ErrVersionMismatch  = errs.New(errs.PreconditionFailed, "version-mismatch", "the resource changed since you read it; read it again and retry")
	ErrIfMatchRequired  = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrCaseNotFound     = errs.New(errs.NotFound, "case-not-found", "case not found")
)

// normalize validates b (its name and its definition, naming each field
// at fault) and returns its Calendar.
func (b *BusinessCalendar) normalize() (*Calendar, error) {
	v := errs.NewValidator()
	name(v, &b.Name)
	c, err := b.Definition.Calendar()
	if e, ok := errs.As(err); ok && e.Kind == errs.Invalid {
		for _, f := range e.Fields {
			v.Check(false, f.Field, f.Reason)
		}
	} else if err != nil {
		return nil, err
	}
	b.Holidays, b.Workdays = nonNil(b.Holidays), nonNil(b.Workdays)
	return c, v.Err()
}

// name trims a name and checks it is 1 to maxName characters.
func name(v *errs.Validator, s *string) {
	*s = strings.TrimSpace(*s)
	v.Check(*s != "" && utf8.RuneCountInString(*s) <= maxName, "name", "required, at most 200 characters")
}

// nonNil is s, or an empty slice for nil: a list the API always shows.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
