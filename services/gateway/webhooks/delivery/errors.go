package delivery

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of CheckURL: each names the field "url".
var (
	// ErrURLInvalid: not an absolute URL, or with user information.
	ErrURLInvalid = errs.New(errs.Invalid, "webhook-url-invalid", "the webhook URL is not valid")
	// ErrURLScheme: not https (nor http with the development setting).
	ErrURLScheme = errs.New(errs.Invalid, "webhook-url-scheme", "the webhook URL must be https")
	// ErrURLUnresolved: its host does not resolve.
	ErrURLUnresolved = errs.New(errs.Invalid, "webhook-url-unresolved", "the webhook URL's host does not resolve")
	// ErrURLForbidden: its host is, or resolves to, an address webhooks are
	// never sent to (loopback, private, link-local, …).
	ErrURLForbidden = errs.New(errs.Invalid, "webhook-url-forbidden", "the webhook URL's host is a private address")
)

// urlError is e naming field "url" with reason.
func urlError(e *errs.Error, reason string) error {
	out := e.WithDetail("%s", reason)
	out.Fields = []errs.FieldError{{Field: "url", Reason: reason}}
	return out
}
