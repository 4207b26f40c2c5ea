package ratelimit

import (
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
)

// The response headers of the IETF rate-limit draft.
const (
	HeaderLimit      = "RateLimit-Limit"
	HeaderRemaining  = "RateLimit-Remaining"
	HeaderReset      = "RateLimit-Reset"
	HeaderPolicy     = "RateLimit-Policy"
	HeaderRetryAfter = "Retry-After"
)

// Bucket key prefixes.
const (
	tenantPrefix = "tenant:"
	apiKeyPrefix = "key:"
)

// Config configures Middleware.
type Config struct {
	// Limiter holds the buckets (required).
	Limiter Limiter
	// Tenant is each tenant's limit (default DefaultTenantLimit).
	Tenant Limit
	// APIKey is each API key's limit, on top of its tenant's (default
	// DefaultAPIKeyLimit).
	APIKey Limit
	// APIKeyID names the API key a request authenticates with, "" for none
	// (default proxy.APIKeyID).
	APIKeyID func(*http.Request) string
	// Logger receives limiter failures (default slog.Default()).
	Logger *slog.Logger
	// Metrics counts the rejections by kind of limit (nil: not counted).
	Metrics *obs.GatewayMetrics
}

// Middleware limits the requests of each tenant, and of each API key, using
// the Principal that proxy.Authenticate put in the context; a request
// without one passes unlimited. If the Limiter fails (Redis down), requests
// pass and the failure is logged: an outage of the limiter must not become
// an outage of the API.
func Middleware(cfg Config) func(http.Handler) http.Handler {
	if cfg.Tenant == (Limit{}) {
		cfg.Tenant = DefaultTenantLimit
	}
	if cfg.APIKey == (Limit{}) {
		cfg.APIKey = DefaultAPIKeyLimit
	}
	if cfg.APIKeyID == nil {
		cfg.APIKeyID = proxy.APIKeyID
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := auth.PrincipalFrom(r.Context())
			if !ok || p.TenantID == "" {
				next.ServeHTTP(w, r)
				return
			}
			buckets := []Bucket{{Key: tenantPrefix + p.TenantID, Limit: cfg.Tenant}}
			if id := cfg.APIKeyID(r); id != "" {
				buckets = append(buckets, Bucket{Key: apiKeyPrefix + id, Limit: cfg.APIKey})
			}
			d, err := cfg.Limiter.Allow(r.Context(), buckets...)
			if err != nil {
				cfg.Logger.ErrorContext(r.Context(), "rate limiter failed; request let through", "error", err.Error())
				next.ServeHTTP(w, r)
				return
			}
			limit := cfg.Tenant
			if d.Key != buckets[0].Key {
				limit = cfg.APIKey
			}
			setHeaders(w.Header(), d, limit)
			if !d.Allowed {
				w.Header().Set(HeaderRetryAfter, strconv.Itoa(seconds(d.RetryAfter)))
				what, kind := "the tenant's", obs.RateLimitTenant
				if d.Key != buckets[0].Key {
					what, kind = "the API key's", obs.RateLimitAPIKey
				}
				cfg.Metrics.RateLimited(kind)
				kitx.WriteProblem(w, r, ErrRateLimited.WithDetail("%s rate limit of %s requests per second (burst %d) is used up; retry in %d s",
					what, strconv.FormatFloat(limit.Rate, 'f', -1, 64), limit.Burst, seconds(d.RetryAfter)))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// setHeaders sets the draft's headers for decision d of a bucket with limit.
func setHeaders(h http.Header, d Decision, limit Limit) {
	h.Set(HeaderLimit, strconv.Itoa(d.Limit))
	h.Set(HeaderRemaining, strconv.Itoa(d.Remaining))
	h.Set(HeaderReset, strconv.Itoa(seconds(d.Reset)))
	h.Set(HeaderPolicy, strconv.Itoa(limit.Burst)+";w="+strconv.Itoa(seconds(limit.window())))
}

// seconds rounds d up to whole seconds, at least 1 for a positive d.
func seconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(d.Seconds()))
}
