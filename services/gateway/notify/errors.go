package notify

import "github.com/rapport-crm/rapport/libs/errs"

// The errors of this package, declared once.
var (
	ErrNotFound       = errs.New(errs.NotFound, "notification-not-found", "notification not found")
	ErrNoUser         = errs.New(errs.Forbidden, "notifications-need-a-user", "notifications belong to a user; an API key without one has none")
	ErrBadLastEventID = errs.New(errs.Invalid, "invalid-last-event-id", "Last-Event-ID must be the id of a notification")
	ErrBadQuery       = errs.New(errs.Invalid, "invalid-notification-query", "the notification query is not valid")
)
