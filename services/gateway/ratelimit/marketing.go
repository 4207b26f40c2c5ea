package ratelimit

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/rapport-crm/rapport/libs/auth"
)

// Bucket key prefixes of the public marketing pages' limits, apart from
// the API's and the portal's; the class of the request follows.
const (
	marketingClientPrefix = "marketing:addr:"
	marketingTenantPrefix = "marketing:tenant:"
)

// MarketingClass is the kind of a public marketing request, which decides
// its limits: a tracking link (an open pixel or a click, which a mail
// client fetches many of at once, from one address for a whole office),
// the submission of a web form (what a flood would be made of), or a page
// (unsubscribe, preferences, a form shown, a confirmation).
type MarketingClass string

// The classes of MarketingClassOf.
const (
	MarketingTrack  MarketingClass = "track"
	MarketingSubmit MarketingClass = "submit"
	MarketingPage   MarketingClass = "page"
)

// MarketingLimits are the limits of each class of public marketing request.
type MarketingLimits struct {
	Track, Submit, Page Limit
}

// of returns the limit of class c.
func (l MarketingLimits) of(c MarketingClass) Limit {
	switch c {
	case MarketingTrack:
		return l.Track
	case MarketingSubmit:
		return l.Submit
	}
	return l.Page
}

// The default limits of the public marketing pages: generous for tracking,
// strict for form submissions.
var (
	DefaultMarketingClientLimits = MarketingLimits{
		Track: Limit{Rate: 20, Burst: 200}, Submit: Limit{Rate: 0.1, Burst: 5}, Page: Limit{Rate: 2, Burst: 30}}
	DefaultMarketingTenantLimits = MarketingLimits{
		Track: Limit{Rate: 1000, Burst: 2000}, Submit: Limit{Rate: 20, Burst: 50}, Page: Limit{Rate: 50, Burst: 100}}
)

// MarketingConfig configures MarketingClients and MarketingTenants.
type MarketingConfig struct {
	// Limiter holds the buckets (required).
	Limiter Limiter
	// Client are each client address's limits, Tenant each tenant's (a
	// zero Limit takes the default's, DefaultMarketingClientLimits and
	// DefaultMarketingTenantLimits).
	Client, Tenant MarketingLimits
	// Logger receives refusals and limiter failures (default
	// slog.Default()).
	Logger *slog.Logger
}

// MarketingClients is middleware that limits the public marketing
// requests (/m/<tenant>/<rest>) of each client address and class (the
// host of RemoteAddr, as PortalClients): over the limit a request is 429
// with Retry-After, and logged; a failing Limiter lets requests through
// (logged).
func MarketingClients(cfg MarketingConfig) func(http.Handler) http.Handler {
	cfg = cfg.withDefaults()
	return publicLimit(cfg.Limiter, cfg.Logger, "marketing", "the address's", func(r *http.Request) (string, Limit) {
		c := MarketingClassOf(r)
		return marketingClientPrefix + string(c) + ":" + clientAddr(r), cfg.Client.of(c)
	})
}

// MarketingTenants is middleware that limits the public marketing requests
// of each tenant and class, the tenant known from the public principal in
// the context (a request without one passes); as MarketingClients
// otherwise.
func MarketingTenants(cfg MarketingConfig) func(http.Handler) http.Handler {
	cfg = cfg.withDefaults()
	return publicLimit(cfg.Limiter, cfg.Logger, "marketing", "the tenant's", func(r *http.Request) (string, Limit) {
		c := MarketingClassOf(r)
		p, ok := auth.PrincipalFrom(r.Context())
		if !ok || p.TenantID == "" {
			return "", cfg.Tenant.of(c)
		}
		return marketingTenantPrefix + string(c) + ":" + p.TenantID, cfg.Tenant.of(c)
	})
}

// MarketingClassOf classifies a public marketing request by what follows
// its tenant, /m/<tenant>/<rest> as the client sent it or
// /public/v1/<rest> as the gateway forwards it: rest under t/ is
// tracking, a POST under forms/ a submission, anything else a page.
func MarketingClassOf(r *http.Request) MarketingClass {
	rest, ok := strings.CutPrefix(r.URL.Path, "/public/v1/")
	if !ok {
		_, rest, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/m/"), "/")
	}
	first, _, _ := strings.Cut(rest, "/")
	switch {
	case first == "t":
		return MarketingTrack
	case first == "forms" && r.Method == http.MethodPost:
		return MarketingSubmit
	}
	return MarketingPage
}

func (cfg MarketingConfig) withDefaults() MarketingConfig {
	for _, l := range []struct{ dst, def *MarketingLimits }{{&cfg.Client, &DefaultMarketingClientLimits}, {&cfg.Tenant, &DefaultMarketingTenantLimits}} {
		for _, f := range []struct{ dst, def *Limit }{{&l.dst.Track, &l.def.Track}, {&l.dst.Submit, &l.def.Submit}, {&l.dst.Page, &l.def.Page}} {
			if *f.dst == (Limit{}) {
				*f.dst = *f.def
			}
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}
