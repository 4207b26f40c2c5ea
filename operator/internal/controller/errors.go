package controller

import (
	"errors"
	"fmt"
)

// stepError is a failed reconcile step: the condition reason that names
// what failed, and the cause. A permanent one cannot succeed until the spec
// or the world changes, so it sends the tenant to phase Failed instead of
// being retried.
type stepError struct {
	reason    string
	permanent bool
	err       error
}

func (e *stepError) Error() string { return e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// failure wraps err as a step failure with reason, to be retried.
func failure(reason string, err error) error {
	return &stepError{reason: reason, err: err}
}

// failuref is failure with a formatted cause.
func failuref(reason, format string, args ...any) error {
	return failure(reason, fmt.Errorf(format, args...))
}

// permanentf is a failure not worth retrying until something changes.
func permanentf(reason, format string, args ...any) error {
	return &stepError{reason: reason, permanent: true, err: fmt.Errorf(format, args...)}
}

// reasonOf returns the condition reason of a step's error, fallback when
// the error carries none.
func reasonOf(err error, fallback string) string {
	if se, ok := errors.AsType[*stepError](err); ok {
		return se.reason
	}
	return fallback
}

// permanentIn returns the first permanent step failure in err's tree, nil
// when there is none.
func permanentIn(err error) error {
	switch e := err.(type) {
	case nil:
		return nil
	case *stepError:
		if e.permanent {
			return e
		}
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			if p := permanentIn(inner); p != nil {
				return p
			}
		}
	}
	return nil
}
