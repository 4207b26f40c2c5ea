// Command contacts runs the contacts service: accounts, contacts, tags,
// custom fields and settings over HTTP, with events through the outbox.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/contacts"
)

func main() {
	cfg, err := parseConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "contacts: configuration:", err)
		os.Exit(2)
	}
	logger := slog.New(kitx.LogHandler(obs.NewLogger(cfg.ServiceName, os.Stderr, cfg.LogLevel).Handler()))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, logger); err != nil {
		logger.Error("contacts stopped", "error", err.Error())
		os.Exit(1)
	}
}

// run wires the service and serves until ctx ends.
func run(ctx context.Context, cfg config, logger *slog.Logger) error {
	if len(cfg.CursorKey) == 0 {
		cfg.CursorKey = make([]byte, kitx.MinCursorKeyLen)
		_, _ = rand.Read(cfg.CursorKey) // crypto/rand.Read never fails
		logger.Warn("CURSOR_KEY is not set: list cursors are valid only in this process")
	}
	cursors, err := kitx.NewCursors(cfg.CursorKey)
	if err != nil {
		return err
	}
	doc, err := contacts.OpenAPI(ctx)
	if err != nil {
		return err
	}
	spec, err := contacts.OpenAPIHandler(doc)
	if err != nil {
		return err
	}
	db, err := pg.Open(cfg.DatabaseURL, pg.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	verifier, err := auth.NewVerifier(ctx, cfg.JWKSURL, cfg.ServiceName)
	if err != nil {
		return err
	}
	metrics := obs.NewMetrics(cfg.ServiceName)
	publisher := events.NewPublisher(cfg.Brokers)
	defer publisher.Close()

	var started atomic.Bool
	health := obs.NewHealth()
	health.AddCheck("db", obs.PingDB(db.DB))
	health.AddCheck("kafka", obs.PingKafka(cfg.Brokers))
	health.AddCheck("auth", func(context.Context) error { return verifier.Ready() })
	health.AddCheck("migrations", func(context.Context) error {
		if !started.Load() {
			return errors.New("database not migrated yet")
		}
		return nil
	})

	store := contacts.NewStore(db)
	svc := contacts.NewService(store, cursors, registry.MustTopic(cfg.TopicPrefix, registry.Contacts))
	mux := obs.Mux(health, metrics)
	mux.Handle("GET /openapi.json", spec)
	mux.Handle("/v1/", auth.Middleware(verifier)(contacts.NewHandler(svc, store, logger)))
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: kitx.RequestID(metrics.InstrumentMux(kitx.Routes(mux))), ReadHeaderTimeout: 10 * time.Second}

	errc := make(chan error, 2)
	go func() { errc <- srv.ListenAndServe() }()
	go func() { errc <- startDatabase(ctx, cfg, db, store, logger, &started, metrics, publisher) }()
	logger.Info("contacts listening", "addr", cfg.HTTPAddr)
	deregister, err := register(ctx, cfg)
	if err != nil {
		return err
	}

	select {
	case <-ctx.Done():
	case err = <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if derr := deregister(shutdown); derr != nil {
		logger.Warn("not deregistered from Consul; it removes the instance once its health check fails", "error", derr.Error())
	}
	if serr := srv.Shutdown(shutdown); serr != nil && err == nil {
		err = serr
	}
	logger.Info("contacts stopped serving")
	return err
}
