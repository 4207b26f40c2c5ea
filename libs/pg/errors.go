package pg

import (
	"database/sql"
	"errors"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Errors a store returns after MapError. Services usually replace them with
// their own domain errors (contact-not-found, email-taken) where they know more.
var (
	ErrNotFound  = errs.New(errs.NotFound, "not-found", "not found")
	ErrConflict  = errs.New(errs.Conflict, "conflict", "conflicts with an existing record")
	ErrReference = errs.New(errs.Invalid, "invalid-reference", "refers to a record that does not exist")
	ErrInvalid   = errs.New(errs.Invalid, "invalid-value", "a value is out of range or malformed")
	ErrRetry     = errs.New(errs.Unavailable, "retry", "concurrent update; try again")
)

// MapError turns driver errors into errs kinds: no rows → not found, unique
// violation → conflict (naming the constraint), foreign key → invalid
// reference, check or data errors → invalid, serialization failure or
// deadlock → retry, row-level-security refusal → not found (a row of another
// tenant is indistinguishable from no row). Other errors pass through.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound.Wrap(err)
	}
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return err
	}
	switch pqErr.Code {
	case "23505":
		return ErrConflict.WithDetail("conflicts with an existing record (%s)", pqErr.Constraint).Wrap(err)
	case "23503":
		return ErrReference.Wrap(err)
	case "23514", "23502", "22001", "22003", "22007", "22008", "22P02":
		return ErrInvalid.Wrap(err)
	case "40001", "40P01":
		return ErrRetry.Wrap(err)
	case "42501":
		return ErrNotFound.Wrap(err)
	}
	return err
}

// IsUniqueViolation reports whether err is a unique violation, optionally of
// the named constraint.
func IsUniqueViolation(err error, constraint string) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "23505" {
		return false
	}
	return constraint == "" || pqErr.Constraint == constraint
}
