package auth

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of this package. Token failures are ErrInvalidToken with a more
// specific detail; the underlying cause is wrapped, never shown to callers.
var (
	ErrUnauthenticated = errs.New(errs.Unauthenticated, "unauthenticated", "authentication is required")
	ErrInvalidToken    = errs.New(errs.Unauthenticated, "invalid-token", "the bearer token is not valid")
	ErrForbidden       = errs.New(errs.Forbidden, "forbidden", "you do not have permission to do this")
	ErrKeysUnavailable = errs.New(errs.Unavailable, "auth-keys-unavailable", "the keys that verify tokens cannot be fetched; try again later")
)
