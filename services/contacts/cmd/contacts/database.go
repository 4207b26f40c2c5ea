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
// app role and that the database classifies CJK text (duplicate checks and
// search rest on pg_trgm), marks the service started, runs the store's
// housekeeping (analyzeNewTables, stripDeletedTags) and the outbox relay
// until ctx ends. It returns an error only for what a restart would not fix.
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
	if err := pg.CheckTextClassification(ctx, app.DB); err != nil {
		return err
	}
	started.Store(true)
	go repeat(ctx, newTablesEvery, analyzeNewTables(store, logger))
	go repeat(ctx, deletedTagsEvery, stripDeletedTags(store, logger))
	relay, err := outbox.NewRelay(outbox.RelayConfig{DB: app, DSN: cfg.DatabaseURL, Publisher: publisher, Logger: logger, Metrics: metrics})
	if err != nil {
		return err
	}
	if err := relay.Run(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}

// How often the store's housekeeping runs: analyzing a new database's
// tables, stripping deleted tags from records.
const (
	newTablesEvery   = 5 * time.Second
	deletedTagsEvery = 2 * time.Second
)

// repeat calls fn every period until ctx ends.
func repeat(ctx context.Context, period time.Duration, fn func(context.Context)) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			fn(ctx)
		}
	}
}

// analyzeNewTables calls store.AnalyzeNewTables, so a new database's plans
// are made with statistics within seconds of its first writes rather than
// after autovacuum's first ANALYZE.
func analyzeNewTables(store *contacts.Store, logger *slog.Logger) func(context.Context) {
	return func(ctx context.Context) {
		tables, err := store.AnalyzeNewTables(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("analyzing new tables failed; autovacuum will in time", "error", err.Error())
		case len(tables) > 0:
			logger.Info("analyzed new tables", "tables", tables)
		}
	}
}

// stripDeletedTags calls store.StripDeletedTags, which removes deleted
// tags' ids from the records; a failure is retried at the next call.
func stripDeletedTags(store *contacts.Store, logger *slog.Logger) func(context.Context) {
	return func(ctx context.Context) {
		n, err := store.StripDeletedTags(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("stripping deleted tags failed; retrying", "error", err.Error())
		case n > 0:
			logger.Info("stripped deleted tags", "records", n)
		}
	}
}
