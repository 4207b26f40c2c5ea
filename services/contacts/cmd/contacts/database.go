package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts"
)

// startDatabase waits for the database, migrates it as the owner, checks the
// app role, marks the service started, keeps a new database's tables
// analyzed (analyzeNewTables) and runs the outbox relay until ctx ends. It
// returns an error only for what a restart would not fix.
func startDatabase(ctx context.Context, cfg config, app *sqlx.DB, store *contacts.Store, logger *slog.Logger,
	started *atomic.Bool, metrics *obs.Metrics, publisher *events.Publisher) error {
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
	go analyzeNewTables(ctx, store, logger)
	relay, err := outbox.NewRelay(outbox.RelayConfig{DB: app, DSN: cfg.DatabaseURL, Publisher: publisher, Logger: logger, Metrics: metrics})
	if err != nil {
		return err
	}
	if err := relay.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// newTablesEvery is how often analyzeNewTables looks for tables to analyze.
const newTablesEvery = 5 * time.Second

// analyzeNewTables calls store.AnalyzeNewTables every newTablesEvery until
// ctx ends, so a new database's plans are made with statistics within
// seconds of its first writes rather than after autovacuum's first ANALYZE.
func analyzeNewTables(ctx context.Context, store *contacts.Store, logger *slog.Logger) {
	tick := time.NewTicker(newTablesEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		tables, err := store.AnalyzeNewTables(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("analyzing new tables failed; autovacuum will in time", "error", err.Error())
		case len(tables) > 0:
			logger.Info("analyzed new tables", "tables", tables)
		}
	}
}
