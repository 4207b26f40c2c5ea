// Package errs defines the kinds of error every Rapport service returns.
//
// Domain packages declare their errors once with New (for example
// ErrContactNotFound = errs.New(errs.NotFound, "contact-not-found", "contact not found")),
// and libs/kitx maps each Kind to an HTTP status in exactly one place. Nothing
// outside the transport layer knows about HTTP. A Validator collects the
// invalid fields of a request into one Invalid error.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

// The kinds of error. Internal is the zero value on purpose: an error that
// nobody classified is treated as a server fault.
const (
	Internal             Kind = iota // a fault on our side
	Invalid                          // the request is malformed or fails validation
	Unauthenticated                  // no or bad credentials
	Forbidden                        // authenticated but not allowed
	NotFound                         // no such resource (or not visible to the caller)
	Conflict                         // the request conflicts with existing state
	PreconditionFailed               // If-Match or similar did not hold
	TooLarge                         // the body exceeds the limit
	RateLimited                      // too many requests
	Unavailable                      // a dependency is down; try again later
	Gone                             // the resource existed and was removed for good
	UnsupportedMediaType             // the body's Content-Type is not one we accept
	PreconditionRequired             // the request must be conditional (If-Match) and is not
	NotImplemented                   // the feature is not installed on this deployment
	MethodNotAllowed                 // the resource does not take the request's method
	Unprocessable                    // well-formed, but the resource's rules refuse it in its current state
	UpgradeRequired                  // the route speaks another protocol (a WebSocket) the request did not ask to switch to
)

var kindNames = map[Kind]string{
	Internal: "internal", Invalid: "invalid", Unauthenticated: "unauthenticated",
	Forbidden: "forbidden", NotFound: "not-found", Conflict: "conflict",
	PreconditionFailed: "precondition-failed", TooLarge: "too-large",
	RateLimited: "rate-limited", Unavailable: "unavailable", Gone: "gone",
	UnsupportedMediaType: "unsupported-media-type", PreconditionRequired: "precondition-required",
	NotImplemented: "not-implemented", MethodNotAllowed: "method-not-allowed", Unprocessable: "unprocessable",
	UpgradeRequired: "upgrade-required",
}

// String returns the kind's slug, e.g. "not-found".
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// FieldError is one invalid field of a request. Field is a JSON pointer-like
// path in camelCase ("emails/0/address").
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is a classified error. Slug is stable and becomes the problem type;
// Message is for humans. Fields lists invalid fields for Invalid errors.
type Error struct {
	Kind    Kind
	Slug    string
	Message string
	Fields  []FieldError
	cause   error
}

// New declares an error of the given kind. Use it for package-level sentinels.
func New(kind Kind, slug, message string) *Error {
	return &Error{Kind: kind, Slug: slug, Message: message}
}

// Error implements error.
func (e *Error) Error() string {
	if e.cause != nil {
		return e.Message + ": " + e.cause.Error()
	}
	return e.Message
}

// Unwrap returns the wrapped cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// Is reports whether target is an *Error with the same slug, so a sentinel
// still matches after WithDetail or Wrap.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Slug == e.Slug && t.Kind == e.Kind
}

// WithDetail returns a copy of e whose message is replaced by a more specific one.
func (e *Error) WithDetail(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// Wrap returns a copy of e that carries cause (kept out of HTTP responses).
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// Invalidf builds an Invalid error listing the given fields.
func Invalidf(fields []FieldError, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Slug: "validation-failed", Message: fmt.Sprintf(format, args...), Fields: fields}
}

// KindOf returns the kind of the first *Error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
