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

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgcluster"
)

// connectionHeadroom is what the throwaway cluster's max_connections holds
// beyond the processes' pools: the launcher's own pool, migrations,
// upkeep, a psql, and the superuser-reserved slots.
const connectionHeadroom = 30

// defaultMaxConnections is PostgreSQL's own max_connections, the least the
// throwaway cluster is given.
const defaultMaxConnections = 100

// maxConnections is the throwaway cluster's max_connections for processes
// service processes (replicas counted, the gateway's included): each holds
// a pool of up to pg.DefaultMaxOpenConns connections (its relays and
// consumers take theirs from it), plus connectionHeadroom; never less than
// PostgreSQL's default. With RAPPORT_REPLICAS=2 the pools alone would
// exceed the default 100, and the processes would see SQLSTATE 53300.
func maxConnections(processes int) int {
	return max(defaultMaxConnections, processes*pg.DefaultMaxOpenConns+connectionHeadroom)
}

// postgres is the server the services' databases live on.
type postgres struct {
	AdminURL *url.URL           // superuser DSN
	DB       *sql.DB            // pool on AdminURL
	cluster  *pgcluster.Cluster // nil when DATABASE_URL was given
}

// startPostgres connects to cfg.DatabaseURL, or starts the throwaway cluster
// in <StateDir>/pg when it is unset, with room for the pools of processes
// service processes (maxConnections).
func startPostgres(ctx context.Context, cfg Config, processes int, logf func(string, ...any)) (*postgres, error) {
	server := &postgres{AdminURL: cfg.DatabaseURL}
	if server.AdminURL == nil {
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
			MaxConnections:    maxConnections(processes),
		})
		if err != nil {
			return nil, fmt.Errorf("throwaway PostgreSQL (unset DATABASE_URL): %w", err)
		}
		server.cluster = c
		server.AdminURL, _ = url.Parse(c.URL("postgres"))
	}
	db, err := sql.Open("postgres", server.AdminURL.String())
	if err != nil {
		server.Stop()
		return nil, fmt.Errorf("open %s: %w", server.AdminURL.Redacted(), err)
	}
	server.DB = db
	if err := pingUntil(ctx, db, 15*time.Second); err != nil {
		server.Stop()
		return nil, fmt.Errorf("PostgreSQL at %s: %w", server.AdminURL.Redacted(), err)
	}
	return server, nil
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
