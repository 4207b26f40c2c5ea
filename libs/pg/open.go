package pg

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the PostgreSQL driver
)

// DefaultMaxOpenConns is the size of a pool Open makes unless told.
const DefaultMaxOpenConns = 20

// Options tune Open. The zero value is usable.
type Options struct {
	// MaxOpenConns caps the pool (default DefaultMaxOpenConns).
	MaxOpenConns int
	// MinBackoff and MaxBackoff bound the wait between connection attempts
	// (defaults 200ms and 5s).
	MinBackoff, MaxBackoff time.Duration
}

// Open returns a pool for dsn without contacting the server; use WaitReady
// (or Connect) before relying on it. A malformed DSN is an error here.
func Open(dsn string, o Options) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("pg: open: %w", err)
	}
	if o.MaxOpenConns == 0 {
		o.MaxOpenConns = DefaultMaxOpenConns
	}
	db.SetMaxOpenConns(o.MaxOpenConns)
	db.SetMaxIdleConns(o.MaxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// WaitReady pings db until it answers or ctx ends, backing off between
// attempts and logging one line per failed attempt, so an operator sees why a
// service is not ready while its database is down.
func WaitReady(ctx context.Context, db *sqlx.DB, logger *slog.Logger, o Options) error {
	minB, maxB := o.MinBackoff, o.MaxBackoff
	if minB == 0 {
		minB = 200 * time.Millisecond
	}
	if maxB == 0 {
		maxB = 5 * time.Second
	}
	wait := minB
	for attempt := 1; ; attempt++ {
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := db.PingContext(pingCtx)
		cancel()
		if err == nil {
			if attempt > 1 {
				logger.InfoContext(ctx, "database is up", "attempts", attempt)
			}
			return nil
		}
		logger.WarnContext(ctx, "database unavailable, retrying", "attempt", attempt, "retry_in", wait.String(), "error", err.Error())
		select {
		case <-ctx.Done():
			return fmt.Errorf("pg: database not reachable after %d attempts: %w", attempt, err)
		case <-time.After(wait):
		}
		wait = min(wait*2, maxB)
	}
}

// Connect is Open followed by WaitReady.
func Connect(ctx context.Context, dsn string, logger *slog.Logger, o Options) (*sqlx.DB, error) {
	db, err := Open(dsn, o)
	if err != nil {
		return nil, err
	}
	if err := WaitReady(ctx, db, logger, o); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
