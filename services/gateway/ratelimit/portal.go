package ratelimit

import (
	"log/slog"
	"net"
	"net/http"
	"strconv"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// Bucket key prefixes of the public portal's limits: apart from the
// tenants' API limits, so a flood of a tenant's portal does not use up
// its users' API.
const (
	portalClientPrefix = "portal:addr:"
	portalTenantPrefix = "portal:tenant:"
)

// The default limits of the public portal: each client address (across
// every tenant's portal), and each tenant's portal.
var (
	DefaultPortalClientLimit = Limit{Rate: 2, Burst: 30}
	DefaultPortalTenantLimit = Limit{Rate: 50, Burst: 100}
)

// PortalConfig configures PortalClients and PortalTenants.
type PortalConfig struct {
	// Limiter holds the buckets (required).
	Limiter Limiter
	// Client is each client address's limit (default
	// DefaultPortalClientLimit).
	Client Limit
	// Tenant is each tenant's portal's limit (default
	// DefaultPortalTenantLimit).
	Tenant Limit
	// Logger receives refusals and limiter failures (default
	// slog.Default()).
	Logger *slog.Logger
}

// PortalClients is middleware that limits the public portal's requests of
// each client address (the host of RemoteAddr, as the audit log and the
// login throttle read it), with no credentials to go by: over the limit a
// request is 429 with Retry-After, and logged. As Middleware, a failing
// Limiter lets requests through (logged).
func PortalClients(cfg PortalConfig) func(http.Handler) http.Handler {
	cfg = cfg.withDefaults()
	return publicLimit(cfg.Limiter, cfg.Logger, "portal", "the address's", func(r *http.Request) (string, Limit) {
		return portalClientPrefix + clientAddr(r), cfg.Client
	})
}

// PortalTenants is middleware that limits the public portal's requests of
// each tenant, known from the portal's principal in the context (a request
// without one passes); as PortalClients otherwise.
func PortalTenants(cfg PortalConfig) func(http.Handler) http.Handler {
	cfg = cfg.withDefaults()
	return publicLimit(cfg.Limiter, cfg.Logger, "portal", "the portal's", func(r *http.Request) (string, Limit) {
		p, ok := auth.PrincipalFrom(r.Context())
		if !ok || p.TenantID == "" {
			return "", cfg.Tenant
		}
		return portalTenantPrefix + p.TenantID, cfg.Tenant
	})
}

func (cfg PortalConfig) withDefaults() PortalConfig {
	if cfg.Client == (Limit{}) {
		cfg.Client = DefaultPortalClientLimit
	}
	if cfg.Tenant == (Limit{}) {
		cfg.Tenant = DefaultPortalTenantLimit
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// publicLimit is middleware taking a request of the public area (the
// portal, the marketing pages) from the bucket bucket names in limiter
// ("" for none: the request passes); what names the limit in a refusal.
func publicLimit(limiter Limiter, logger *slog.Logger, area, what string, bucket func(*http.Request) (string, Limit)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key, limit := bucket(r)
			if key == "" {
				next.ServeHTTP(w, r)
				return
			}
			d, err := limiter.Allow(r.Context(), Bucket{Key: key, Limit: limit})
			if err != nil {
				logger.ErrorContext(r.Context(), "rate limiter failed; "+area+" request let through", "error", err.Error())
				next.ServeHTTP(w, r)
				return
			}
			setHeaders(w.Header(), d, limit)
			if !d.Allowed {
				logger.WarnContext(r.Context(), area+": rate limited", "bucket", key, "client", clientAddr(r), "path", r.URL.Path,
					"retry_after_s", seconds(d.RetryAfter))
				w.Header().Set(HeaderRetryAfter, strconv.Itoa(seconds(d.RetryAfter)))
				kitx.WriteProblem(w, r, ErrRateLimited.WithDetail("%s rate limit of %s requests per second (burst %d) is used up; retry in %d s",
					what, strconv.FormatFloat(limit.Rate, 'f', -1, 64), limit.Burst, seconds(d.RetryAfter)))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// clientAddr is the host of r's RemoteAddr.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
