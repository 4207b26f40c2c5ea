package proxy

import (
	"errors"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// Config configures a Handler. Tenants, Resolver and Signer are required;
// Authenticator is required unless every request passes through the
// Authenticate middleware first.
type Config struct {
	Routes        *Table // nil means DefaultRoutes
	Authenticator Authenticator
	Tenants       TenantDirectory
	Resolver      discovery.Resolver
	Signer        *auth.Signer

	// TokenTTL is the lifetime of the internal token (default auth.DefaultTTL);
	// a token is reused for the same principal and service during the first
	// half of it.
	TokenTTL time.Duration
	// DialTimeout bounds connecting to an upstream (default 2 s).
	DialTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for an upstream's response
	// headers once the request is sent (default 30 s).
	ResponseHeaderTimeout time.Duration
	// Retries is how many more attempts an idempotent request gets after a
	// connection error (default 2; negative means none).
	Retries int
	// Breaker configures the per-upstream circuit breakers.
	Breaker BreakerConfig
	// Logger receives upstream errors (default slog.Default()).
	Logger *slog.Logger
}

// Handler is the reverse proxy to the services: see the package
// documentation. It is safe for concurrent use.
type Handler struct {
	routes   *Table
	authn    Authenticator
	tenants  TenantDirectory
	balancer *discovery.RoundRobin // the instances of a service, in turn
	tokens   *internalTokens
	retries  int
	logger   *slog.Logger

	base     *http.Transport
	breakers *breakers
	rp       *httputil.ReverseProxy
}

// New returns a Handler for cfg.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Tenants == nil:
		return nil, errors.New("proxy: Config.Tenants is required")
	case cfg.Resolver == nil:
		return nil, errors.New("proxy: Config.Resolver is required")
	case cfg.Signer == nil:
		return nil, errors.New("proxy: Config.Signer is required")
	}
	if cfg.Routes == nil {
		t, err := NewTable(DefaultRoutes())
		if err != nil {
			return nil, err
		}
		cfg.Routes = t
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = auth.DefaultTTL
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 2 * time.Second
	}
	if cfg.ResponseHeaderTimeout <= 0 {
		cfg.ResponseHeaderTimeout = 30 * time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = 2
	} else if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{
		routes:   cfg.Routes,
		authn:    cfg.Authenticator,
		tenants:  cfg.Tenants,
		balancer: discovery.NewRoundRobin(cfg.Resolver),
		tokens:   newInternalTokens(cfg.Signer, cfg.TokenTTL),
		retries:  cfg.Retries,
		logger:   cfg.Logger,
		breakers: newBreakers(cfg.Breaker),
	}
	h.base = &http.Transport{
		DialContext:           (&net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		ResponseHeaderTimeout: cfg.ResponseHeaderTimeout,
		MaxIdleConns:          1024,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true, // bodies pass through as the upstream encoded them
	}
	h.rp = &httputil.ReverseProxy{
		Rewrite:   rewrite,
		Transport: &transport{base: tracedTransport(h.base), breakers: h.breakers},
		// ReverseProxy itself flushes every write of a response of unknown
		// length (a stream) or of server-sent events, so those pass at once;
		// a response of known length goes through the server's write buffer,
		// and a small one leaves in one write.
		FlushInterval: 0,
		BufferPool:    copyBuffers,
		ErrorHandler:  h.upstreamError,
		ErrorLog:      slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
		ModifyResponse: func(res *http.Response) error {
			// The gateway answers with its own request id (the one it sent
			// upstream) and its own no-store and nosniff (serve): the
			// upstream's copies would repeat the headers, and no upstream
			// may make an authenticated answer cacheable.
			res.Header.Del(kitx.RequestIDHeader)
			res.Header.Del("X-Content-Type-Options")
			res.Header.Del("Cache-Control")
			takeUpstream(res)
			return nil
		},
	}
	return h, nil
}

// Close closes the idle connections to upstreams.
func (h *Handler) Close() { h.base.CloseIdleConnections() }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if kitx.RequestIDFrom(r.Context()) == "" {
		kitx.RequestID(http.HandlerFunc(h.serve)).ServeHTTP(w, r)
		return
	}
	h.serve(w, r)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// A service's answer is a tenant's data: nothing may cache it, whatever
	// the service said (ModifyResponse drops its copies of these).
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	route, ok := h.routes.Lookup(r.URL.Path)
	if !ok {
		kitx.WriteProblem(w, r, ErrNoRoute.WithDetail("no API route matches %s", r.URL.Path))
		return
	}
	annotateSpan(ctx, route)
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		if h.authn == nil {
			kitx.WriteProblem(w, r, auth.ErrUnauthenticated)
			return
		}
		var err error
		if p, err = h.authn.Authenticate(ctx, r); err != nil {
			kitx.WriteProblem(w, r, err)
			return
		}
	}
	if p.TenantID == "" {
		kitx.WriteProblem(w, r, ErrNoTenant)
		return
	}
	if perm := route.Permission(r.Method); !p.Can(perm) {
		kitx.WriteProblem(w, r, auth.ErrForbidden.WithDetail("this needs the permission %s", perm))
		return
	}
	h.forward(w, r, route.Service, route.Prefix, p)
}

// forward sends r to an instance of service for p's tenant with an
// internal token of p; prefix names what service serves in an answer of
// ErrNotInstalled.
func (h *Handler) forward(w http.ResponseWriter, r *http.Request, service, prefix string, p auth.Principal) {
	ctx := r.Context()
	slug, dedicated, err := h.tenants.Tenant(ctx, p.TenantID)
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	tenant := ""
	if dedicated {
		tenant = slug
	}
	// 1 + h.retries instances, starting at the round-robin position; every
	// one when there are more, as an open circuit is skipped.
	attempts, err := h.balancer.Next(ctx, service, tenant, 1+h.retries)
	if errors.Is(err, discovery.ErrNotDeployed) {
		kitx.WriteProblem(w, r, ErrNotInstalled.WithDetail("%s is served by the %s service, which is not installed here", prefix, service))
		return
	}
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	token, err := h.tokens.token(p, service)
	if err != nil {
		kitx.WriteProblem(w, r, err)
		return
	}
	pl := &plan{
		service:   service,
		token:     token,
		requestID: kitx.RequestIDFrom(ctx),
		attempts:  attempts,
	}
	h.rp.ServeHTTP(w, r.WithContext(withPlan(ctx, pl)))
}

// rewrite builds the outbound request: the upstream is set by the transport;
// here the headers are cleaned and the internal token added. The client's
// trace headers are dropped: the transport sends the gateway's own span's
// (trace.go).
func rewrite(pr *httputil.ProxyRequest) {
	pl := planFrom(pr.In.Context())
	pr.Out.URL.Scheme = "http"
	pr.Out.URL.Host = pl.attempts[0].Address
	pr.Out.Host = ""
	stripInbound(pr.Out.Header)
	stripTraceContext(pr.Out.Header)
	pr.SetXForwarded()
	pr.Out.Header.Set("Authorization", "Bearer "+pl.token)
	pr.Out.Header.Set(kitx.RequestIDHeader, pl.requestID)
}

// upstreamError answers a request the upstream did not answer.
func (h *Handler) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client went away; nobody reads an answer
	}
	pl := planFrom(r.Context())
	var co *circuitOpenError
	switch {
	case errors.As(err, &co):
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(co.wait.Seconds()))))
		kitx.WriteProblem(w, r, ErrCircuitOpen.WithDetail("%s is failing and is given time to recover; try again later", pl.service))
	case isTimeout(err):
		h.logger.WarnContext(r.Context(), "upstream timeout", "service", pl.service, "request_id", pl.requestID, "error", err.Error())
		kitx.WriteProblem(w, r, ErrUpstreamTimeout.WithDetail("%s did not answer in time; try again later", pl.service))
	default:
		h.logger.WarnContext(r.Context(), "upstream error", "service", pl.service, "request_id", pl.requestID, "error", err.Error())
		kitx.WriteProblem(w, r, ErrUpstreamUnavailable.WithDetail("%s is unavailable; try again later", pl.service))
	}
}
