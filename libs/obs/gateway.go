package obs

import "github.com/prometheus/client_golang/prometheus"

// The kinds of limit a rate-limit rejection is counted under.
const (
	// RateLimitTenant is a tenant's request rate limit.
	RateLimitTenant = "tenant"
	// RateLimitAPIKey is an API key's own request rate limit.
	RateLimitAPIKey = "api_key"
	// RateLimitLoginThrottle is the throttle of failed logins per account and
	// per client address.
	RateLimitLoginThrottle = "login_throttle"
)

// The sign-in methods a login is counted under. LoginPassword and LoginSSO
// are the gateway identity's LoginEvent methods; LoginAPIKey counts each
// authentication of a request with an API key.
const (
	LoginPassword = "password"
	LoginSSO      = "sso"
	LoginAPIKey   = "api_key"
)

// GatewayMetrics are the gateway's own metrics: rate-limit rejections and
// logins. A nil *GatewayMetrics records nothing.
type GatewayMetrics struct {
	rateLimited *prometheus.CounterVec
	logins      *prometheus.CounterVec
}

// NewGatewayMetrics registers the gateway's metrics on m's registry, every
// series at zero from the start (so rate() sees the first rejection), and
// returns them. m must not be nil.
func NewGatewayMetrics(m *Metrics) *GatewayMetrics {
	labels := prometheus.Labels{"service": m.service}
	g := &GatewayMetrics{
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        "rapport_gateway_rate_limited_total",
			Help:        "Requests and logins refused by a rate limit, by kind of limit: tenant, api_key or login_throttle.",
			ConstLabels: labels,
		}, []string{"kind"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        "rapport_gateway_logins_total",
			Help:        "Sign-in attempts by method (password, sso, api_key: each request authenticated with an API key) and result (success, failure).",
			ConstLabels: labels,
		}, []string{"method", "result"}),
	}
	m.reg.MustRegister(g.rateLimited, g.logins)
	for _, kind := range []string{RateLimitTenant, RateLimitAPIKey, RateLimitLoginThrottle} {
		g.rateLimited.WithLabelValues(kind)
	}
	for _, method := range []string{LoginPassword, LoginSSO, LoginAPIKey} {
		g.logins.WithLabelValues(method, "success")
		g.logins.WithLabelValues(method, "failure")
	}
	return g
}

// RateLimited counts one rejection by the limit of kind (RateLimitTenant,
// RateLimitAPIKey or RateLimitLoginThrottle).
func (g *GatewayMetrics) RateLimited(kind string) {
	if g == nil {
		return
	}
	g.rateLimited.WithLabelValues(kind).Inc()
}

// Login counts one sign-in attempt by method (LoginPassword, LoginSSO or
// LoginAPIKey) that succeeded or not.
func (g *GatewayMetrics) Login(method string, succeeded bool) {
	if g == nil {
		return
	}
	result := "failure"
	if succeeded {
		result = "success"
	}
	g.logins.WithLabelValues(method, result).Inc()
}
