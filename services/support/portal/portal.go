// Package portal is the self-service portal's API (issue 18, point 7):
// what a tenant's customers, who have no Rapport account, reach through
// the gateway at /portal/<tenant-slug>/api/… (or /portal/api/… on the
// tenant's own domain), which forwards it here as /portal/v1/… with an
// internal token of a portal principal: the tenant, user "portal" and the
// one permission support:portal (PermPortal).
//
// Customers search and read the published public articles of the
// knowledge base and say whether one helped; they submit a case (a
// honeypot field and a per-address limit keep spam out) and follow it
// through a signed link sent to them by email (Links): the case's public
// thread, never its internal notes, and their replies to it.
package portal

import (
	"github.com/rapport-crm/rapport/libs/errs"
)

// PermPortal is the one permission of the portal's principal, and the
// only one its routes accept.
const PermPortal = "support:portal"

// Actor is who the portal acts as in cases.
const Actor = "system:portal"

// Channel is the channel of the cases and replies the portal takes.
const Channel = "portal"

// The errors of the portal, declared once.
var (
	// ErrLink answers a case's link that is forged, expired, of another
	// case or of another tenant, without saying which.
	ErrLink = errs.New(errs.Forbidden, "portal-link-invalid", "the link is not valid; ask for a new one")
	// ErrTooManyCases answers an address that submitted too many cases in
	// the last hour.
	ErrTooManyCases = errs.New(errs.RateLimited, "portal-too-many-cases", "too many cases from this address; try again later")
	// ErrBadForm answers a body that is neither JSON nor multipart, or
	// that could not be read.
	ErrBadForm = errs.New(errs.Invalid, "portal-bad-form", "the form could not be read")
	// ErrUnsupportedForm answers a body of another media type.
	ErrUnsupportedForm = errs.New(errs.UnsupportedMediaType, "portal-unsupported-form",
		"send the form as application/json or multipart/form-data")
	// ErrFormTooLarge answers a form over its limit.
	ErrFormTooLarge = errs.New(errs.TooLarge, "portal-form-too-large", "the form is too large")
)
