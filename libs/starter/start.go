package starter

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/idempotency"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
)

// ShutdownTimeout bounds a graceful stop: requests in flight get this long
// to finish.
const ShutdownTimeout = 15 * time.Second

// Instance is a running service.
type Instance struct {
	addr string
	done chan struct{}
	err  error
}

// Addr is the address the instance's HTTP server listens on.
func (in *Instance) Addr() string { return in.addr }

// Wait returns once the instance has stopped: after its context ended, or
// after a failure a restart would not fix (which it returns).
func (in *Instance) Wait() error {
	<-in.done
	return in.err
}

// Option changes how Start runs a service, for tests.
type Option func(*options)

type options struct{ noJobs bool }

// WithoutJobs leaves out the periodic jobs, the service's and the shared
// statistics upkeep, for tests that run them themselves when they choose.
func WithoutJobs() Option { return func(o *options) { o.noJobs = true } }

// Run starts s with tracing as the OTEL_* variables say (obs.StartTracing)
// and serves until ctx ends, then stops gracefully and flushes the traces.
func Run(ctx context.Context, cfg Config, s Service, logger *slog.Logger) error {
	stopTracing, err := obs.StartTracing(ctx, cfg.Name)
	if err != nil {
		return err
	}
	defer obs.StopTracing(stopTracing, logger)
	in, err := Start(ctx, cfg, s, logger)
	if err != nil {
		return err
	}
	return in.Wait()
}

// Start starts s as the package documentation describes and returns once
// its HTTP server listens; the database work goes on in the background, and
// /readyz answers 200 once it is done. The instance stops when ctx ends.
func Start(ctx context.Context, cfg Config, s Service, logger *slog.Logger, opts ...Option) (*Instance, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if len(cfg.CursorKey) == 0 {
		cfg.CursorKey = make([]byte, kitx.MinCursorKeyLen)
		_, _ = rand.Read(cfg.CursorKey) // crypto/rand.Read never fails
		logger.Warn("CURSOR_KEY is not set: list cursors are valid only in this process")
	}
	cursors, err := kitx.NewCursors(cfg.CursorKey)
	if err != nil {
		return nil, err
	}
	db, err := pg.Open(cfg.DatabaseURL, pg.Options{})
	if err != nil {
		return nil, err
	}
	verifier, err := auth.NewVerifier(ctx, cfg.JWKSURL, cfg.Name)
	if err != nil {
		db.Close()
		return nil, err
	}
	reg := s.Registry
	if reg == nil {
		reg = registry.Default()
	}
	entry, ok := reg.Lookup(s.Name)
	if !ok {
		db.Close()
		return nil, fmt.Errorf("%s is not in the service registry (libs/registry): add it there", s.Name)
	}
	env := Env{Config: cfg, Logger: logger, DB: db, Cursors: cursors, Metrics: obs.NewMetrics(cfg.Name),
		Topic: entry.Topic(cfg.TopicPrefix)}
	env.Metrics.WatchPool(db.DB, cfg.Name)
	api, err := s.Build(ctx, env)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", s.Name, err)
	}

	schema := s.Schema()
	health := obs.NewHealth()
	health.AddCheck("db", obs.PingDB(db.DB))
	health.AddCheck("kafka", obs.PingKafka(cfg.Brokers))
	health.AddCheck("auth", func(context.Context) error { return verifier.Ready() })
	health.AddCheck("migrations", schema.Check)
	mux := http.NewServeMux()
	obs.Mount(mux, health, env.Metrics)
	mux.Handle("GET /openapi.json", openAPIHandler(api.OpenAPI))
	mountRoutes(mux, api, verifier, idempotency.NewStore(db), logger)
	if err := mountTenantData(ctx, mux, cfg, db, logger); err != nil {
		db.Close()
		return nil, err
	}
	srv := &http.Server{Handler: Handler(mux, env.Metrics), ReadHeaderTimeout: 10 * time.Second}
	srv.Handler = cfg.Overload.Guard(srv.Handler)

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("HTTP_ADDR: %w", err)
	}
	publisher := events.NewPublisher(cfg.Brokers)
	w := &worker{cfg: cfg, api: api, env: env, publisher: publisher, schema: schema, noJobs: o.noJobs}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	// The first failure stops the instance; later ones are dropped.
	errc := make(chan error, 1)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	w.fail = fail
	go func() { fail(srv.Serve(ln)) }()
	servers, stopServers := runServers(context.WithoutCancel(ctx), api.Servers, fail)
	var background sync.WaitGroup
	background.Go(func() {
		if err := w.run(bg, &background); err != nil {
			fail(err)
		}
	})
	logger.Info(cfg.Name+" listening", "addr", ln.Addr().String())
	deregister, err := register(ctx, cfg, ln.Addr().(*net.TCPAddr).Port)
	if err != nil {
		deregister = func(context.Context) error { return nil }
		fail(err)
	}

	in := &Instance{addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(in.done)
		select {
		case <-ctx.Done():
		case err := <-errc:
			if !errors.Is(err, http.ErrServerClosed) {
				in.err = err
			}
		}
		// Stop being found, stop taking requests and finish those in
		// flight, then stop the background work, then close what it used.
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
		defer cancel()
		if err := deregister(shutdown); err != nil {
			logger.Warn("not deregistered from Consul; it removes the instance once its health check fails", "error", err.Error())
		}
		if err := srv.Shutdown(shutdown); err != nil && in.err == nil {
			in.err = err
		}
		stopServers()
		servers.Wait()
		stopBG()
		background.Wait()
		_ = publisher.Close() // nothing is published any more
		_ = db.Close()
		logger.Info(cfg.Name + " stopped serving")
	}()
	return in, nil
}

// runServers runs servers until stop is called, each Run's error before
// then passed to fail.
func runServers(ctx context.Context, servers []Server, fail func(error)) (*sync.WaitGroup, context.CancelFunc) {
	ctx, stop := context.WithCancel(ctx)
	var group sync.WaitGroup
	for _, s := range servers {
		group.Go(func() {
			if err := s.Run(ctx); err != nil && ctx.Err() == nil {
				fail(fmt.Errorf("server %s: %w", s.Name, err))
			}
		})
	}
	return &group, stop
}

// openAPIHandler serves the service's contract.
func openAPIHandler(doc []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
}
