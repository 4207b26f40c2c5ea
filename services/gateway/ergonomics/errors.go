package ergonomics

import "github.com/rapport-crm/rapport/libs/errs"

// ErrUnknownField answers fields= naming a member the list's items do not have.
var ErrUnknownField = errs.New(errs.Invalid, "unknown-field", "fields names a member the items of this list do not have")

// ErrNotAList answers fields= on a GET whose answer is not a list with items.
var ErrNotAList = errs.New(errs.Invalid, "fields-not-a-list", "fields applies to lists only (answers with an items array)")

// unknownField returns ErrUnknownField naming the parameter and the name.
func unknownField(name string) *errs.Error {
	e := ErrUnknownField.WithDetail("fields names %q, which the items of this list do not have", name)
	e.Fields = []errs.FieldError{{Field: Param, Reason: "unknown field " + name}}
	return e
}

// notAList returns ErrNotAList naming the parameter.
func notAList() *errs.Error {
	e := ErrNotAList.WithDetail("fields applies to lists only: this answer has no items array")
	e.Fields = []errs.FieldError{{Field: Param, Reason: "not a list"}}
	return e
}
