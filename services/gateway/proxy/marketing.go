package proxy

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/registry"
)

// The marketing service's public routes (issue 19): the open pixel and the
// click redirects of tracked links, the one-click unsubscribe and its page,
// the preference page and the web forms, reached without credentials at
// /m/<tenant>/<rest>, <tenant> the tenant's slug or id.
const (
	// MarketingPath is the prefix of every public marketing request.
	MarketingPath = "/m/"
	// MarketingService serves them, at MarketingUpstreamPrefix.
	MarketingService        = registry.Marketing
	MarketingUpstreamPrefix = "/public/v1"
	// MarketingUserID is the user of the public pages' principal, and
	// MarketingPermission its one permission.
	MarketingUserID     = "public"
	MarketingPermission = "marketing:public"
)

// ErrNoMarketingPage answers a public marketing request of a tenant that
// does not exist or is not active, or of a path that names nothing.
var ErrNoMarketingPage = errs.New(errs.NotFound, "page-not-found", "no such page")

// MarketingTenants finds the tenant a public marketing request names.
type MarketingTenants interface {
	// MarketingTenant returns the id of the active tenant whose slug or id
	// is ref; a tenant that does not exist or is not active is an error of
	// kind NotFound.
	MarketingTenant(ctx context.Context, ref string) (string, error)
}

// MarketingConfig configures Handler.Marketing.
type MarketingConfig struct {
	// Tenants finds the request's tenant (required).
	Tenants MarketingTenants
	// ClientLimit, when set, wraps the handling of every request before
	// its tenant is looked up: the rate limit of the client's address
	// (ratelimit.MarketingClients), so that a flood costs no lookup.
	ClientLimit func(http.Handler) http.Handler
	// TenantLimit, when set, wraps the forwarding of a request whose
	// tenant is known (the public principal is in its context): the
	// tenant's rate limit (ratelimit.MarketingTenants).
	TenantLimit func(http.Handler) http.Handler
	// Logger receives the refused requests (default slog.Default()).
	Logger *slog.Logger
}

// Marketing returns the handler of MarketingPath: a request naming an
// active tenant goes to MarketingService's MarketingUpstreamPrefix with an
// internal token of the public principal (MarketingPrincipal), whatever
// credentials or identity headers the client sent, with the client's
// address in X-Forwarded-For and its User-Agent; the service's answer
// (a page, a GIF, a redirect) goes back as it is. An unknown or inactive
// tenant, and a path with dot segments, doubled or encoded slashes, is 404.
func (h *Handler) Marketing(cfg MarketingConfig) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.ClientLimit, cfg.TenantLimit = orPass(cfg.ClientLimit), orPass(cfg.TenantLimit)
	forward := cfg.TenantLimit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.PrincipalFrom(r.Context())
		h.forward(w, r, MarketingService, MarketingPath, p)
	}))
	limited := cfg.ClientLimit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ref, rest, ok := MarketingRoute(r.URL.Path)
		if !ok || r.URL.RawPath != "" {
			kitx.WriteProblem(w, r, ErrNoMarketingPage.WithDetail("no page at %s", r.URL.Path))
			return
		}
		tenant, err := cfg.Tenants.MarketingTenant(r.Context(), ref)
		if errs.KindOf(err) == errs.NotFound {
			cfg.Logger.InfoContext(r.Context(), "marketing: no active tenant", "tenant", ref, "path", r.URL.Path)
			kitx.WriteProblem(w, r, ErrNoMarketingPage)
			return
		}
		if err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
		out := r.Clone(auth.WithPrincipal(r.Context(), MarketingPrincipal(tenant)))
		stripInbound(out.Header)
		out.URL.Path, out.URL.RawPath = MarketingUpstreamPrefix+"/"+rest, ""
		forward.ServeHTTP(w, out)
	}))
	serve := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		limited.ServeHTTP(w, r)
	})
	return withRequestID(serve)
}

// MarketingPrincipal is the principal of tenant's public marketing pages:
// minted without credentials, able to do nothing but MarketingPermission.
func MarketingPrincipal(tenant string) auth.Principal {
	return auth.Principal{TenantID: tenant, UserID: MarketingUserID, Permissions: []string{MarketingPermission}}
}

// MarketingRoute splits a public marketing path, /m/<tenant>/<rest>, into
// the tenant's slug or id and the rest, which the service serves at
// MarketingUpstreamPrefix/<rest>. It is not ok unless both are there and
// the path is clean (no dot segments, no doubled slashes), so that nothing
// outside MarketingUpstreamPrefix can be named.
func MarketingRoute(p string) (tenant, rest string, ok bool) {
	tail, ok := strings.CutPrefix(p, MarketingPath)
	if !ok {
		return "", "", false
	}
	tenant, rest, ok = strings.Cut(tail, "/")
	if !ok || tenant == "" || rest == "" || path.Clean(p) != strings.TrimSuffix(p, "/") {
		return "", "", false
	}
	return tenant, rest, true
}
