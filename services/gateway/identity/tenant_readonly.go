package identity

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// ReadOnlyRetryAfter is what a change refused in a tenant's read-only window
// says to wait (Retry-After) before trying again.
const ReadOnlyRetryAfter = 5 * time.Second

// ErrTenantReadOnly refuses a change while the tenant's read-only window is
// open (a move between tiers); the change may be sent again, with its
// Idempotency-Key, after Retry-After.
var ErrTenantReadOnly = errs.New(errs.Unavailable, "tenant-read-only", "the tenant is read-only for a moment (a maintenance window); try again shortly")

// TenantReadOnly reports whether tenant id's read-only window is open, read
// through the tenant cache: it takes effect at once on the replica that
// opened it and within TenantCacheTTL on the others.
func (s *Service) TenantReadOnly(ctx context.Context, id string) (bool, error) {
	e, err := s.tenants.get(ctx, id)
	if err != nil {
		return false, err
	}
	return e.readOnly, nil
}

// TenantCacheTTL is how long a replica may act on a tenant's state (status,
// tier, read-only window) after another replica changed it.
func (s *Service) TenantCacheTTL() time.Duration { return s.tenants.ttl }

// ReadOnly is middleware, after authentication, that answers every request
// but GET, HEAD and OPTIONS of a tenant whose read-only window is open with
// 503 tenant-read-only and Retry-After.
func (s *Service) ReadOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		if p, ok := auth.PrincipalFrom(r.Context()); ok {
			ro, err := s.TenantReadOnly(r.Context(), p.TenantID)
			if err != nil {
				kitx.WriteProblem(w, r, err)
				return
			}
			if ro {
				w.Header().Set("Retry-After", strconv.Itoa(int(ReadOnlyRetryAfter/time.Second)))
				kitx.WriteProblem(w, r, ErrTenantReadOnly)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// RequirePlatform admits only requests bearing the operator's platform
// token, as the /admin/v1/tenants routes do.
func (s *Service) RequirePlatform(next http.Handler) http.Handler { return s.requirePlatform(next) }
