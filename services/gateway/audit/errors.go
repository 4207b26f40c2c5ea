package audit

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of this package, declared once.
var (
	ErrBadFilter = errs.New(errs.Invalid, "invalid-audit-filter", "the audit filter is not valid")
)
