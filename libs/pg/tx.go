package pg

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// ErrNoTenant is returned by WithTenantTx when the tenant id is not a UUID.
var ErrNoTenant = errs.New(errs.Unauthenticated, "no-tenant", "no valid tenant in the request")

// commitHooks holds the functions OnCommit registered, per transaction that
// WithTx manages.
var commitHooks sync.Map // *sqlx.Tx → *[]func()

// OnCommit arranges for fn to run after tx commits, and reports whether it
// could: only transactions run by WithTx (or WithTenantTx), or such a
// transaction running prepared statements (Statements.In), have hooks. A
// rolled-back transaction runs none.
func OnCommit(tx sqlx.ExtContext, fn func()) bool {
	if p, ok := tx.(*preparedTx); ok {
		tx = p.Tx
	}
	v, ok := commitHooks.Load(tx)
	if !ok {
		return false
	}
	hooks := v.(*[]func())
	*hooks = append(*hooks, fn) // a transaction is used by one goroutine at a time
	return true
}

// WithTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise (also on panic, which it re-raises), under the limits ctx
// carries (WithLimits). Functions registered with OnCommit run after a
// successful commit.
func WithTx(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) (err error) {
	tx, release, err := begin(ctx, db) // under the request's limits (limits.go)
	if err != nil {
		return fmt.Errorf("pg: begin: %w", MapError(err))
	}
	hooks := &[]func(){}
	commitHooks.Store(tx, hooks)
	defer func() {
		defer release()
		commitHooks.Delete(tx)
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("pg: commit: %w", MapError(err))
	}
	for _, h := range *hooks {
		h()
	}
	return nil
}

// WithTenantTx runs fn in a transaction whose row-level-security tenant is
// tenantID: app.tenant_id is set with set_config(..., true), so it lasts for
// this transaction only and never leaks to the next user of the connection.
func WithTenantTx(ctx context.Context, db *sqlx.DB, tenantID string, fn func(tx *sqlx.Tx) error) error {
	if !ids.Valid(tenantID) {
		return ErrNoTenant
	}
	return WithTx(ctx, db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenantID); err != nil {
			return fmt.Errorf("pg: set tenant: %w", err)
		}
		return fn(tx)
	})
}
