package reports

import (
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
)

// ErrInvalidParams is a report's query that does not hold: its copies
// name each parameter at fault (errors[].field) and what it allows.
var ErrInvalidParams = errs.New(errs.Invalid, "invalid-report-params", "invalid report parameters")

// invalid returns ErrInvalidParams naming field for reason.
func invalid(field, reason string) *errs.Error {
	e := ErrInvalidParams.WithDetail("invalid report parameter %s: %s", field, reason)
	e.Fields = []errs.FieldError{{Field: field, Reason: reason}}
	return e
}

// oneOf is the reason of a value that is none of allowed.
func oneOf(allowed []string) string {
	if len(allowed) == 0 {
		return "takes no value here"
	}
	return "must be one of " + strings.Join(allowed, ", ")
}
