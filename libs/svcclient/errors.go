package svcclient

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of this package, declared once. An error answer of the called
// service is a *Problem instead.
var (
	// ErrNoCaller: the context carries no internal token to act with (not
	// within a request authenticated by auth.Middleware).
	ErrNoCaller = errs.New(errs.Internal, "no-caller-token", "a service call needs the internal token of the request being served")
	// ErrUnavailable: the gateway or the called service could not be
	// reached, or answered 429 or 5xx; the call may be retried (with the
	// same Idempotency-Key).
	ErrUnavailable = errs.New(errs.Unavailable, "service-unavailable", "a service this needs cannot be reached; try again later")
	// ErrRefused: the gateway refused the request's token (expired, or its
	// tenant suspended, or its user disabled).
	ErrRefused = errs.New(errs.Unauthenticated, "token-refused", "the gateway refused the request's token")
	// ErrTeamNotFound: the directory has no such team in the caller's tenant.
	ErrTeamNotFound = errs.New(errs.NotFound, "team-not-found", "team not found")
)
