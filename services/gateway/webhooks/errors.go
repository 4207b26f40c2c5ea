package webhooks

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of this package, declared once; kitx.WriteProblem maps them to
// HTTP.
var (
	ErrNotFound         = errs.New(errs.NotFound, "webhook-subscription-not-found", "webhook subscription not found")
	ErrDeliveryNotFound = errs.New(errs.NotFound, "webhook-delivery-not-found", "webhook delivery not found")
	ErrVersionMismatch  = errs.New(errs.PreconditionFailed, "version-mismatch", "the subscription changed since you read it; fetch it again")
	ErrInvalid          = errs.New(errs.Invalid, "invalid-webhook-subscription", "the webhook subscription is not valid")
	ErrBadQuery         = errs.New(errs.Invalid, "invalid-webhook-query", "the webhook query is not valid")
	ErrNotRedeliverable = errs.New(errs.Conflict, "webhook-delivery-pending", "the delivery is still pending; it is sent again by itself")
)

// invalidField returns a copy of base naming field with reason.
func invalidField(base *errs.Error, field, reason string) *errs.Error {
	e := base.WithDetail("%s: %s", field, reason)
	e.Fields = []errs.FieldError{{Field: field, Reason: reason}}
	return e
}
