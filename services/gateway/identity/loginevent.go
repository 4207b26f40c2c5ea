package identity

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Sign-in methods of a LoginEvent.
const (
	LoginPassword = "password"
	LoginSSO      = "sso"
)

// LoginEvent is one sign-in attempt, for the audit log. TenantID and UserID
// are set as far as they became known (an unknown email has no UserID);
// Reason is the problem slug of a failure.
type LoginEvent struct {
	Method     string
	TenantSlug string
	TenantID   string
	UserID     string
	Email      string
	ClientAddr string
	Success    bool
	Reason     string
	At         time.Time
}

// recordLogin counts the sign-in, completes ev with the outcome err and
// hands it to OnLogin.
func (s *Service) recordLogin(ctx context.Context, ev LoginEvent, err error) {
	s.metrics.Login(ev.Method, err == nil)
	if s.onLogin == nil {
		return
	}
	ev.At = s.now()
	ev.Success = err == nil
	if err != nil {
		ev.Reason = errs.Internal.String()
		if e, ok := errs.As(err); ok {
			ev.Reason = e.Slug
		}
	}
	s.onLogin(ctx, ev)
}
