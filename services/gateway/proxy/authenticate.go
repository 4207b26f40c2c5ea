package proxy

import (
	"context"
	"net/http"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// Authenticator turns a request's credentials (a user JWT or an API key) into
// the calling Principal. It returns an error of kind Unauthenticated when the
// credentials are missing or not valid.
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request) (auth.Principal, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, r *http.Request) (auth.Principal, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, r *http.Request) (auth.Principal, error) {
	return f(ctx, r)
}

// TenantDirectory tells how a tenant is deployed.
type TenantDirectory interface {
	// Tenant returns the slug of tenant id and whether it runs on its own
	// dedicated deployment (tagged "tenant-<slug>") rather than the shared one.
	Tenant(ctx context.Context, id string) (slug string, dedicated bool, err error)
}

// Authenticate is middleware that authenticates every request with a and
// stores the Principal in the request context (auth.WithPrincipal), where
// the rate limiter, the audit middleware and Handler find it. A request that
// fails is answered with the error as a problem (401) and goes no further.
func Authenticate(a Authenticator) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := a.Authenticate(r.Context(), r)
			if err != nil {
				kitx.WriteProblem(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
		})
	}
}
