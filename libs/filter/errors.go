package filter

import (
	"fmt"

	"github.com/rapport-crm/rapport/libs/errs"
)

// ErrInvalidFilter is the error every malformed or ill-typed filter yields
// (kind errs.Invalid, slug "invalid-filter"). The returned copies carry one
// errs.FieldError whose Field is the path of the offending node, for example
// "filter/and/2/field", and whose Reason says what is wrong with it.
var ErrInvalidFilter = errs.New(errs.Invalid, "invalid-filter", "invalid filter")

// ErrInvalidSort is the error a bad sort specification yields (kind
// errs.Invalid, slug "invalid-sort"); its errs.FieldError names "sort".
var ErrInvalidSort = errs.New(errs.Invalid, "invalid-sort", "invalid sort")

// ErrSchema reports a mistake in a Schema or in a Field a CustomField
// resolver returned (kind errs.Internal, slug "filter-schema"). It is a bug
// in the calling service, never the user's fault.
var ErrSchema = errs.New(errs.Internal, "filter-schema", "invalid filter schema")

// invalid returns ErrInvalidFilter located at path.
func invalid(path, format string, args ...any) *errs.Error {
	return located(ErrInvalidFilter, path, fmt.Sprintf(format, args...))
}

// located returns a copy of base whose message and single FieldError name
// path and reason.
func located(base *errs.Error, path, reason string) *errs.Error {
	e := base.WithDetail("%s: %s at %s", base.Message, reason, path)
	e.Fields = []errs.FieldError{{Field: path, Reason: reason}}
	return e
}

// schemaErr returns ErrSchema describing a broken field.
func schemaErr(format string, args ...any) *errs.Error {
	return ErrSchema.WithDetail("invalid filter schema: "+format, args...)
}

// quote renders a user-supplied name for an error message, shortened so a
// hostile input cannot bloat the response.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		r := []rune(s)
		if len(r) > max {
			s = string(r[:max]) + "…"
		}
	}
	return fmt.Sprintf("%q", s)
}
