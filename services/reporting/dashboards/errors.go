package dashboards

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of dashboards and report schedules.
var (
	ErrNotFound         = errs.New(errs.NotFound, "reporting-dashboard-not-found", "dashboard not found")
	ErrScheduleNotFound = errs.New(errs.NotFound, "reporting-schedule-not-found", "report schedule not found")
	ErrBuiltIn          = errs.New(errs.Conflict, "reporting-dashboard-built-in",
		"a built-in dashboard is read-only; copy it (POST /v1/dashboards/{id}/copy) and change the copy")
	ErrNotOwner = errs.New(errs.Forbidden, "reporting-dashboard-not-owner",
		"only its owner or a reporting:admin may change it")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "it changed since you read it; read it again and retry")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
)

// checkIfMatch is the precondition of an update of a record at version
// by the If-Match ifMatch: ErrIfMatchRequired without one (0),
// ErrVersionMismatch when the record changed since.
func checkIfMatch(version, ifMatch int64) error {
	switch {
	case ifMatch == 0:
		return ErrIfMatchRequired
	case version != ifMatch:
		return ErrVersionMismatch
	}
	return nil
}
