package journeys

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of journeys.
var (
	ErrNotFound        = errs.New(errs.NotFound, "marketing-journey-not-found", "journey not found")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "it changed since you read it; read it again and retry")
	// ErrArchived is a change of an archived journey's status: its
	// enrolments were exited and its sends completed for good.
	ErrArchived = errs.Invalidf([]errs.FieldError{{Field: "status", Reason: "an archived journey stays archived"}},
		"an archived journey stays archived; copy it into a new journey instead")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
)
