// Command gateway is Rapport's public entry: identity, tokens and (mounted by
// the edge packages) the proxy to the services. main is wiring only.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/services/gateway/api"
	"github.com/rapport-crm/rapport/services/gateway/audit"
	"github.com/rapport-crm/rapport/services/gateway/catalogue"
	"github.com/rapport-crm/rapport/services/gateway/console"
	"github.com/rapport-crm/rapport/services/gateway/ergonomics"
	"github.com/rapport-crm/rapport/services/gateway/identity"
	"github.com/rapport-crm/rapport/services/gateway/notify"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
	"github.com/rapport-crm/rapport/services/gateway/ratelimit"
	"github.com/rapport-crm/rapport/services/gateway/specmerge"
	"github.com/rapport-crm/rapport/services/gateway/tenantdata"
	"github.com/rapport-crm/rapport/services/gateway/webhooks"
	"github.com/rapport-crm/rapport/services/gateway/websec"
)

// main runs the command line: `gateway version`, `gateway migrate`, or
// serving (starter.CLI).
func main() {
	os.Exit(starter.CLI{Schema: schema(), Serve: serve}.Run(os.Args[1:]))
}

// serve reads the configuration and serves until SIGINT or SIGTERM; it
// returns the exit status.
func serve() int {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gateway: configuration:", err)
		return 2
	}
	return starter.Exec("gateway", cfg.LogLevel, func(ctx context.Context, logger *slog.Logger) error { return run(ctx, cfg, logger) })
}

// run serves until ctx ends (SIGINT or SIGTERM), then stops gracefully. Both
// ports answer the probes at once; the public API is served once the
// database is prepared (migrated with DATABASE_MIGRATE_URL, else once
// `gateway migrate` has migrated it) and the gateway wired. It traces as
// the OTEL_* variables say, the public's requests as untrusted parents
// (obs.PublicEntry).
func run(ctx context.Context, cfg config, logger *slog.Logger) error {
	stopTracing, err := obs.StartTracing(ctx, "gateway", obs.PublicEntry())
	if err != nil {
		return err
	}
	defer obs.StopTracing(stopTracing, logger)
	db, err := pg.Open(cfg.DatabaseURL, pg.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	tables := schema()
	health := obs.NewHealth()
	health.AddCheck("db", obs.PingDB(db.DB))
	health.AddCheck("migrations", tables.Check)
	metrics := obs.NewMetrics("gateway")
	metrics.WatchPool(db.DB, "gateway")
	gatewayMetrics := obs.NewGatewayMetrics(metrics)
	public := newStartup(health, metrics)
	health.AddCheck("startup", public.Check)
	servers, err := listen(cfg, public, obs.Mux(health, metrics))
	if err != nil {
		return err
	}
	defer servers.close()
	failed := servers.serve()
	logger.Info("gateway listening", "addr", servers.public.Addr().String(), "metrics_addr", servers.internal.Addr().String())
	if err := tables.Prepare(ctx, db, cfg.MigrateURL, logger); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while waiting
		}
		return err
	}

	keys, err := identity.LoadOrGenerateKeys(cfg.SigningKeys, logger)
	if err != nil {
		return err
	}
	// The audit log is written in batches by its own goroutine, which drains
	// what is left after the server stops.
	auditStore := audit.NewStore(db)
	auditWriter := audit.NewWriter(auditStore, audit.WriterConfig{Logger: logger})
	auditCtx, stopAudit := context.WithCancel(context.Background())
	auditDone := make(chan struct{})
	go func() { defer close(auditDone); auditWriter.Run(auditCtx) }()
	defer func() { stopAudit(); <-auditDone }()
	go audit.RunRetention(ctx, auditStore, cfg.AuditRetention, 6*time.Hour, logger)

	// With REDIS_URL, rate limits and the failed-login throttle are shared
	// by every replica; without, each replica keeps its own in memory.
	rdb, err := openRedis(cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	limiter, throttles := ratelimit.Limiter(ratelimit.NewMemory()), identity.MemoryThrottles()
	if rdb != nil {
		defer rdb.Close()
		limiter, throttles = ratelimit.NewRedis(rdb, rateLimitPrefix), identity.RedisThrottles(rdb, loginThrottlePrefix)
	}

	ids, err := identity.New(identity.Config{
		DB: db, Keys: keys, DataKey: cfg.DataKey, PublicURL: cfg.PublicURL,
		PlatformToken: cfg.PlatformToken, Logger: logger, OnLogin: auditLogins(auditWriter), Throttles: throttles,
		OnExchange: auditExchanges(auditWriter), Metrics: gatewayMetrics,
	})
	if err != nil {
		return err
	}
	go ids.Run(ctx, 30*time.Second)
	startRevocations(ctx, cfg, ids, rdb, health)

	notes, err := notifications(ctx, cfg, db, ids.Cursors(), metrics, logger)
	if err != nil {
		return err
	}
	// The webhooks: their API, and this replica's fan-out and dispatcher.
	hooks, err := startWebhooks(ctx, cfg, db, ids.Cursors(), metrics, logger)
	if err != nil {
		return err
	}

	if rdb != nil {
		health.AddCheck("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() })
	}
	upstreams, closeUpstreams, err := resolver(cfg)
	if err != nil {
		return err
	}
	defer closeUpstreams() //nolint:errcheck // nothing left to do at exit
	routes, err := proxy.NewTable(proxy.DefaultRoutes())
	if err != nil {
		return err
	}
	ph, err := proxy.New(proxy.Config{
		Routes: routes, Authenticator: ids, Tenants: ids, // identity caches tenants itself
		Resolver: upstreams, Signer: ids.Keys().Signer(),
		DialTimeout: cfg.DialTimeout, ResponseHeaderTimeout: cfg.HeaderTimeout, Retries: cfg.Retries,
		Breaker: proxy.BreakerConfig{Failures: cfg.BreakerFailures, CoolDown: cfg.BreakerCoolDown},
		Logger:  logger,
	})
	if err != nil {
		return err
	}
	defer ph.Close()
	// The merged document takes in every service the routes lead to that is
	// deployed here; the others are left out without a warning.
	specs, err := specmerge.New(specmerge.Config{Gateway: api.OpenAPI, Resolver: upstreams,
		Services: routes.Services(), Logger: logger})
	if err != nil {
		return err
	}
	go specs.Run(ctx, cfg.OpenAPIRefresh)

	// A signed-in request is rate limited, then audited (every change, and
	// the reads of the routes of personal data), then served.
	limited := ratelimit.Middleware(ratelimit.Config{Limiter: limiter, Tenant: cfg.TenantLimit, APIKey: cfg.APIKeyLimit, Logger: logger,
		Metrics: gatewayMetrics})
	audited := audit.Middleware(auditWriter, audit.Policy{Routes: routes, BulkReadLimit: cfg.AuditBulkRead})
	// ergonomics: ETags, If-None-Match → 304 and fields= on the JSON reads of
	// every signed-in route (the services' through ph and the gateway's own).
	ergo := ergonomics.Middleware(ergonomics.Config{Fields: specs.ListFields})
	guard := func(h http.Handler) http.Handler { return ids.ReadOnly(limited(audited(ergo(h)))) }
	authn := proxy.Authenticate(ids)

	// The public port serves the probes but not /metrics (served on the
	// internal listener, see listen): a path no route leads to, /metrics
	// included, is 404 route-not-found before any authentication.
	mux := http.NewServeMux()
	obs.Mount(mux, health, nil)
	identity.Mount(mux, ids, guard)
	tenantdata.New(tenantdata.Config{DB: db, Tenants: ids, Resolver: upstreams, Signer: ids.Keys().Signer(), Logger: logger}).Mount(mux)
	mux.Handle("GET "+specmerge.SpecPath, specs)
	events := catalogue.Default() // the event catalogue, public like the OpenAPI document
	mux.Handle("GET "+catalogue.DocumentPath, events.Handler())
	mux.Handle("GET "+catalogue.PagePath, events.Page())
	mux.Handle("GET /v1/audit", authn(guard(audit.Handler(auditStore, ids.Cursors(), audit.ReadPermission))))
	notify.Mount(mux, notes, func(h http.Handler) http.Handler { return authn(guard(h)) })
	webhooks.Mount(mux, hooks, func(h http.Handler) http.Handler { return authn(guard(h)) })
	// Every other path goes to the services, but for the GETs of paths no
	// API owns: those are the web console's (its assets, and index.html for
	// its own routes).
	api := proxy.RequireRoute(routes)(authn(guard(ph)))
	web, err := console.New(console.Assets(), func(p string) bool { _, ok := routes.Lookup(p); return ok || console.IsAPIPath(p) }, api)
	if err != nil {
		return err
	}
	mux.Handle("/", web)
	// The self-service portal (proxy.Portal): public, per tenant, limited per
	// client address before the tenant is looked up and per tenant after;
	// its pages are the console's.
	portalLimits := ratelimit.PortalConfig{Limiter: limiter, Client: cfg.PortalAddressLimit, Tenant: cfg.PortalTenantLimit, Logger: logger}
	// A tenant's read-only window (a move between tiers) holds the public
	// pages' changes too: a case or form submitted then would miss the copy.
	portalTenants := ratelimit.PortalTenants(portalLimits)
	mux.Handle(proxy.PortalPath, ph.Portal(proxy.PortalConfig{Tenants: ids, ClientLimit: ratelimit.PortalClients(portalLimits),
		TenantLimit: func(h http.Handler) http.Handler { return portalTenants(ids.ReadOnly(h)) }, Next: web, Logger: logger}))
	// The marketing service's public pages (proxy.Marketing: tracking
	// links, unsubscribes, preferences, web forms), limited as the portal
	// is, by class of request.
	marketingLimits := ratelimit.MarketingConfig{Limiter: limiter, Client: cfg.MarketingAddressLimits, Tenant: cfg.MarketingTenantLimits, Logger: logger}
	marketingTenants := ratelimit.MarketingTenants(marketingLimits)
	mux.Handle(proxy.MarketingPath, ph.Marketing(proxy.MarketingConfig{Tenants: ids, ClientLimit: ratelimit.MarketingClients(marketingLimits),
		TenantLimit: func(h http.Handler) http.Handler { return marketingTenants(ids.ReadOnly(h)) }, Logger: logger}))

	// starter.Handler: every answer says nosniff and no-store (unless its handler
	// sets a Cache-Control, as the JWKS does), and a bad path or query is a
	// 400 before anything reads it.
	root := starter.Handler(mux, metrics)
	root = websec.Headers(websec.CORS(root, cfg.CORSOrigins), strings.HasPrefix(cfg.PublicURL, "https://"))
	root = cfg.Overload.Guard(root)
	public.serve(root)
	logger.Info("gateway ready", "keys", keys.KeyIDs())
	select {
	case err := <-failed:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := servers.shutdown(sctx); err != nil {
		return err
	}
	return ids.FlushLastUsed(sctx)
}
