package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/lib/pq" // the PostgreSQL driver

	"github.com/rapport-crm/rapport/libs/pgcluster"
)

// postgres is the server the services' databases live on.
type postgres struct {
	AdminURL *url.URL           // superuser DSN
	DB       *sql.DB            // pool on AdminURL
	cluster  *pgcluster.Cluster // nil when DATABASE_URL was given
}

// startPostgres connects to cfg.DatabaseURL, or starts the throwaway cluster
// in <StateDir>/pg when it is unset.
func startPostgres(ctx context.Context, cfg Config, logf func(string, ...any)) (*postgres, error) {
	pg := &postgres{AdminURL: cfg.DatabaseURL}
	if pg.AdminURL == nil {
		// The server runs as the postgres OS user when we are root, so every
		// directory on the way to its data must be searchable by it.
		if err := os.MkdirAll(cfg.StateDir, 0o755); err != nil {
			return nil, fmt.Errorf("create state dir: %w", err)
		}
		c, err := pgcluster.Start(ctx, pgcluster.Options{
			Dir:  filepath.Join(cfg.StateDir, "pg"),
			Port: cfg.LocalPGPort,
			Logf: logf,
			// Under fault injection an immediate shutdown must lose no
			// acknowledged write: the suite counts them.
			SynchronousCommit: cfg.ControlAddr != "",
		})
		if err != nil {
			return nil, fmt.Errorf("throwaway PostgreSQL (unset DATABASE_URL): %w", err)
		}
		pg.cluster = c
		pg.AdminURL, _ = url.Parse(c.URL("postgres"))
	}
	db, err := sql.Open("postgres", pg.AdminURL.String())
	if err != nil {
		pg.Stop()
		return nil, fmt.Errorf("open %s: %w", pg.AdminURL.Redacted(), err)
	}
	pg.DB = db
	if err := pingUntil(ctx, db, 15*time.Second); err != nil {
		pg.Stop()
		return nil, fmt.Errorf("PostgreSQL at %s: %w", pg.AdminURL.Redacted(), err)
	}
	return pg, nil
}

// pingUntil retries db.Ping until it succeeds or wait has passed.
func pingUntil(ctx context.Context, db *sql.DB, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		err := db.PingContext(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not reachable after %v: %w", wait, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Stop closes the pool and stops the throwaway cluster, if we started one.
func (pg *postgres) Stop() error {
	if pg.DB != nil {
		pg.DB.Close()
	}
	if pg.cluster != nil {
		if err := pg.cluster.Stop(); err != nil {
			return fmt.Errorf("stop PostgreSQL: %w", err)
		}
	}
	return nil
}

// Restart shuts the throwaway cluster down in immediate mode and starts it
// again; a server the launcher did not start (DATABASE_URL) is not touched.
func (pg *postgres) Restart(ctx context.Context) error {
	if pg.cluster == nil {
		return errNotOurs.WithDetail("PostgreSQL is not the launcher's (DATABASE_URL is set)")
	}
	return pg.cluster.RestartImmediate(ctx)
}
