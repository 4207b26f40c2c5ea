package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts"
)

// startDatabase waits for the database, migrates it as the owner, checks the
// app role, marks the service started and runs the outbox relay until ctx
// ends. It returns an error only for what a restart would not fix.
func startDatabase(ctx context.Context, cfg config, app *sqlx.DB, logger *slog.Logger, started *atomic.Bool,
	metrics *obs.Metrics, publisher *events.Publisher) error {
	owner, err := pg.Connect(ctx, cfg.MigrateURL, logger, pg.Options{MaxOpenConns: 2})
	if err != nil {
		return fmt.Errorf("DATABASE_MIGRATE_URL: %w", err)
	}
	defer owner.Close()
	if err := pg.Migrate(ctx, owner.DB, logger, cfg.AppRole,
		outbox.Migrations(), events.InboxMigrations(), contacts.Migrations()); err != nil {
		return err
	}
	if err := pg.WaitReady(ctx, app, logger, pg.Options{}); err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err := pg.CheckRole(ctx, app.DB); err != nil {
		return err
	}
	started.Store(true)
	relay, err := outbox.NewRelay(outbox.RelayConfig{DB: app, DSN: cfg.DatabaseURL, Publisher: publisher, Logger: logger, Metrics: metrics})
	if err != nil {
		return err
	}
	if err := relay.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}
