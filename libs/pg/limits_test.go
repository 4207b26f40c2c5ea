package pg_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestOverloadLockTimeoutFailsARequestFast holds an ACCESS EXCLUSIVE lock
// on a table: a transaction under a request's limits fails with
// lock_not_available (55P03), while one without limits (background work)
// waits for the lock and then succeeds.
func TestOverloadLockTimeoutFailsARequestFast(t *testing.T) {
	admin, app := setup(t)
	ctx := context.Background()
	tenant := ids.New()
	lock, err := admin.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec(`LOCK TABLE notes IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	limited := pg.WithLimits(ctx, pg.Limits{Acquire: time.Second, Lock: 100 * time.Millisecond, Statement: 10 * time.Second})
	err = pg.WithTenantTx(limited, app, tenant, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(limited, `INSERT INTO notes (tenant_id, id, body) VALUES ($1, $2, 'x')`, tenant, ids.New())
		return err
	})
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "55P03" {
		t.Fatalf("insert under a request's limits while the table is locked: %v, want SQLSTATE 55P03", err)
	}

	background := make(chan error, 1)
	go func() {
		background <- pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO notes (tenant_id, id, body) VALUES ($1, $2, 'y')`, tenant, ids.New())
			return err
		})
	}()
	testkit.Eventually(t, 10*time.Second, "the unlimited insert to wait for the lock", func() (bool, string) {
		var waiting int
		if err := admin.Get(&waiting, `SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
			WHERE c.relname = 'notes' AND NOT l.granted`); err != nil {
			return false, err.Error()
		}
		return waiting == 1, "no waiter"
	})
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-background; err != nil {
		t.Fatalf("insert without limits once the lock is gone: %v", err)
	}
}

// TestOverloadAcquireBoundAndLocalSettings fills a one-connection pool: a
// request's transaction gives up waiting for a connection with an error
// wrapping context.DeadlineExceeded; once the connection is free, its
// transaction runs with the limits set, and they do not outlive it.
func TestOverloadAcquireBoundAndLocalSettings(t *testing.T) {
	_, app := setup(t)
	app.SetMaxOpenConns(1)
	ctx := context.Background()
	limited := pg.WithLimits(ctx, pg.Limits{Acquire: 50 * time.Millisecond, Lock: 250 * time.Millisecond, Statement: 3 * time.Second})
	held, err := app.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = pg.WithTx(limited, app, func(*sqlx.Tx) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("transaction while the only connection is taken: %v, want one wrapping context.DeadlineExceeded", err)
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	var lockTimeout, statementTimeout string
	if err := pg.WithTx(limited, app, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &lockTimeout, `SHOW lock_timeout`); err != nil {
			return err
		}
		return tx.GetContext(ctx, &statementTimeout, `SHOW statement_timeout`)
	}); err != nil {
		t.Fatal(err)
	}
	if lockTimeout != "250ms" || statementTimeout != "3s" {
		t.Errorf("inside the request's transaction: lock_timeout %q, statement_timeout %q; want 250ms and 3s", lockTimeout, statementTimeout)
	}
	if err := pg.WithTx(ctx, app, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &lockTimeout, `SHOW lock_timeout`)
	}); err != nil {
		t.Fatal(err)
	}
	if lockTimeout != "0" {
		t.Errorf("the next transaction on the same connection: lock_timeout %q, want 0 (SET LOCAL ends with the transaction)", lockTimeout)
	}
}
