package errs

import "strings"

// Validator collects invalid fields of a request so that one error lists
// them all:
//
//	v := errs.NewValidator()
//	v.Check(req.Name != "", "name", "required")
//	v.Check(len(req.Name) <= 200, "name", "at most 200 characters")
//	return v.Err()
type Validator struct {
	fields []FieldError
}

// NewValidator returns an empty Validator.
func NewValidator() *Validator {
	return &Validator{}
}

// Check records field as invalid for reason unless ok holds.
func (v *Validator) Check(ok bool, field, reason string) {
	if !ok {
		v.fields = append(v.fields, FieldError{Field: field, Reason: reason})
	}
}

// Err returns nil if every check held, or an Invalid error
// ("validation-failed") listing each failed field in the order checked.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	names := make([]string, 0, len(v.fields))
	seen := make(map[string]bool, len(v.fields))
	for _, f := range v.fields {
		if !seen[f.Field] {
			seen[f.Field] = true
			names = append(names, f.Field)
		}
	}
	return Invalidf(v.fields, "invalid fields: %s", strings.Join(names, ", "))
}
