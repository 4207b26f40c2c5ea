package pg

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Limits bound how long a request's transactions wait on the database, so
// that a slow or locked database makes requests fail fast (libs/kitx maps
// the failures to 503 with Retry-After) instead of queueing without bound.
// A zero field sets no bound.
type Limits struct {
	// Acquire bounds the wait for a connection of the pool; past it, the
	// transaction fails with an error wrapping context.DeadlineExceeded.
	Acquire time.Duration
	// Lock is the transaction's lock_timeout (SQLSTATE 55P03 past it).
	Lock time.Duration
	// Statement is the transaction's statement_timeout (SQLSTATE 57014).
	Statement time.Duration
}

type limitsKey struct{}

// WithLimits returns ctx carrying l: the transactions WithTx and
// WithTenantTx begin under it are bounded by l. libs/starter puts the
// configured limits on every request's context; background work (relays,
// consumers, jobs, migrations) has none and waits as long as it must. Work
// that a request starts and that legitimately runs long (an export) passes
// WithLimits(ctx, Limits{}) to lift them.
func WithLimits(ctx context.Context, l Limits) context.Context {
	return context.WithValue(ctx, limitsKey{}, l)
}

// limitsFrom returns the limits ctx carries.
func limitsFrom(ctx context.Context) Limits {
	l, _ := ctx.Value(limitsKey{}).(Limits)
	return l
}

// begin starts a transaction under the limits ctx carries: the connection
// is taken within l.Acquire, and lock_timeout and statement_timeout are set
// for this transaction only (SET LOCAL). done returns the connection to the
// pool once the transaction has ended.
func begin(ctx context.Context, db *sqlx.DB) (tx *sqlx.Tx, done func(), err error) {
	l := limitsFrom(ctx)
	if l == (Limits{}) {
		tx, err = db.BeginTxx(ctx, nil)
		return tx, func() {}, err
	}
	var conn *sqlx.Conn
	if l.Acquire > 0 {
		wait, cancel := context.WithTimeout(ctx, l.Acquire)
		conn, err = db.Connx(wait)
		cancel()
		if err != nil && ctx.Err() == nil {
			return nil, nil, fmt.Errorf("pg: no connection free within %v: %w", l.Acquire, context.DeadlineExceeded)
		}
	} else {
		conn, err = db.Connx(ctx)
	}
	if err != nil {
		return nil, nil, err
	}
	release := func() { _ = conn.Close() }
	if tx, err = conn.BeginTxx(ctx, &sql.TxOptions{}); err != nil {
		release()
		return nil, nil, err
	}
	if _, err = tx.ExecContext(ctx, `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)`,
		millis(l.Lock), millis(l.Statement)); err != nil {
		_ = tx.Rollback()
		release()
		return nil, nil, fmt.Errorf("pg: set the request's limits: %w", err)
	}
	return tx, release, nil
}

// millis is d as PostgreSQL reads a timeout in milliseconds; 0 is none.
func millis(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
