package proxy

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/registry"
)

// The self-service portal's public routes (issue 18): a tenant's
// customers, who have no Rapport account, reach the support service's
// portal API without credentials at /portal/<tenant-slug>/api/v1/…, or at
// /portal/api/v1/… when the request's Host is one of the tenant's domains.
const (
	// PortalPath is the prefix of every portal request.
	PortalPath = "/portal/"
	// PortalService serves the portal's API, at PortalUpstreamPrefix.
	PortalService        = registry.Support
	PortalUpstreamPrefix = "/portal/v1"
	// PortalUserID is the user of the portal's principal, and
	// PortalPermission its one permission.
	PortalUserID     = "portal"
	PortalPermission = "support:portal"
	// PortalBaseHeader tells the service where the tenant's portal is (a
	// path on the gateway's public URL, or an absolute URL on the tenant's
	// domain) for the links it mails; the client's own is dropped.
	PortalBaseHeader = "X-Portal-Base"
)

// ErrNoPortal answers a portal request of a tenant that does not exist or
// is not active, or of a path the portal does not serve.
var ErrNoPortal = errs.New(errs.NotFound, "portal-not-found", "no portal here")

// PortalTenants finds the tenant whose portal a public request names.
type PortalTenants interface {
	// PortalTenant returns the id of the active tenant of slug, or of
	// domain when slug is ""; a tenant that does not exist or is not
	// active is an error of kind NotFound.
	PortalTenant(ctx context.Context, slug, domain string) (string, error)
}

// PortalConfig configures Handler.Portal.
type PortalConfig struct {
	// Tenants finds the portal's tenant (required).
	Tenants PortalTenants
	// ClientLimit, when set, wraps the handling of every API request
	// before its tenant is looked up: the rate limit of the client's
	// address (ratelimit.PortalClients), so that a flood from one address
	// costs no lookup.
	ClientLimit func(http.Handler) http.Handler
	// TenantLimit, when set, wraps the forwarding of a request whose
	// tenant is known (the portal's principal is in its context): the
	// rate limit of the tenant's portal (ratelimit.PortalTenants).
	TenantLimit func(http.Handler) http.Handler
	// Next serves the paths under PortalPath that are not the API (the
	// console's portal pages); nil answers them 404.
	Next http.Handler
	// Logger receives the refused requests (default slog.Default()).
	Logger *slog.Logger
}

// Portal returns the handler of PortalPath: an API request of an active
// tenant's portal goes to PortalService's PortalUpstreamPrefix with an
// internal token of the portal's principal (PortalPrincipal), whatever
// credentials or identity headers the client sent; an unknown or inactive
// tenant, and any path outside the portal's API, is 404; the rest of
// PortalPath goes to cfg.Next.
func (h *Handler) Portal(cfg PortalConfig) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.ClientLimit, cfg.TenantLimit = orPass(cfg.ClientLimit), orPass(cfg.TenantLimit)
	forward := cfg.TenantLimit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.PrincipalFrom(r.Context())
		h.forward(w, r, PortalService, PortalUpstreamPrefix, p)
	}))
	api := cfg.ClientLimit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slug, rest, _ := portalAPIPath(r.URL.Path)
		if !portalRoutable(r, rest) {
			kitx.WriteProblem(w, r, ErrNoPortal.WithDetail("the portal has no route %s", r.URL.Path))
			return
		}
		host := requestHost(r)
		tenant, err := cfg.Tenants.PortalTenant(r.Context(), slug, host)
		if errs.KindOf(err) == errs.NotFound {
			cfg.Logger.InfoContext(r.Context(), "portal: no active tenant", "slug", slug, "host", host, "path", r.URL.Path)
			kitx.WriteProblem(w, r, ErrNoPortal)
			return
		}
		if err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
		base := "/portal/" + slug
		if slug == "" {
			base = "https://" + host + "/portal"
		}
		out := r.Clone(auth.WithPrincipal(r.Context(), PortalPrincipal(tenant)))
		stripInbound(out.Header)
		for name := range out.Header {
			if strings.HasPrefix(strings.ToLower(name), "x-portal-") {
				delete(out.Header, name)
			}
		}
		out.Header.Set(PortalBaseHeader, base)
		out.URL.Path, out.URL.RawPath = PortalUpstreamPrefix+strings.TrimPrefix(rest, "v1"), ""
		forward.ServeHTTP(w, out)
	}))
	serve := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := portalAPIPath(r.URL.Path); !ok {
			if cfg.Next == nil {
				kitx.WriteProblem(w, r, ErrNoPortal)
				return
			}
			cfg.Next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		api.ServeHTTP(w, r)
	})
	return withRequestID(serve)
}

// orPass is mw, or middleware that passes every request on when mw is nil.
func orPass(mw func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	if mw == nil {
		return func(next http.Handler) http.Handler { return next }
	}
	return mw
}

// withRequestID gives a request that has no request id yet one
// (kitx.RequestID), before serve: the public routes are mounted beside the
// API's chain, which gives the others theirs.
func withRequestID(serve http.Handler) http.Handler {
	withID := kitx.RequestID(serve)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if kitx.RequestIDFrom(r.Context()) == "" {
			withID.ServeHTTP(w, r)
			return
		}
		serve.ServeHTTP(w, r)
	})
}

// PortalPrincipal is the principal of tenant's portal: the only one the
// gateway mints without credentials, able to do nothing but
// PortalPermission.
func PortalPrincipal(tenant string) auth.Principal {
	return auth.Principal{TenantID: tenant, UserID: PortalUserID, Permissions: []string{PortalPermission}}
}

// portalAPIPath splits a path of the portal's API: /portal/<slug>/api/<rest>
// (slug form) or /portal/api/<rest> (domain form, slug ""). The two
// cannot be mistaken: a slug form's third segment is "api", a domain
// form's rest starts with v1.
func portalAPIPath(p string) (slug, rest string, ok bool) {
	tail, ok := strings.CutPrefix(p, PortalPath)
	if !ok {
		return "", "", false
	}
	if rest, ok := strings.CutPrefix(tail, "api/"); ok && (rest == "v1" || strings.HasPrefix(rest, "v1/")) {
		return "", rest, true
	}
	slug, tail, ok = strings.Cut(tail, "/")
	if !ok || slug == "" {
		return "", "", false
	}
	rest, ok = strings.CutPrefix(tail, "api/")
	return slug, rest, ok
}

// portalRoutable reports whether the portal forwards r, whose API path
// after /api/ is rest: rest is v1 or under it, and the path is clean (no
// dot segments, doubled or encoded slashes) so that nothing outside
// PortalUpstreamPrefix can be named.
func portalRoutable(r *http.Request, rest string) bool {
	if rest != "v1" && !strings.HasPrefix(rest, "v1/") || r.URL.RawPath != "" {
		return false
	}
	trimmed := strings.TrimSuffix(rest, "/")
	return path.Clean("/"+trimmed) == "/"+trimmed
}

// requestHost is r's Host without its port, lower-case.
func requestHost(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(host)
}
