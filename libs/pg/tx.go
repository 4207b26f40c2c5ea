package pg

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
)

// ErrNoTenant is returned by WithTenantTx when the tenant id is not a UUID.
var ErrNoTenant = errs.New(errs.Unauthenticated, "no-tenant", "no valid tenant in the request")

// WithTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise (also on panic, which it re-raises).
func WithTx(ctx context.Context, db *sqlx.DB, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("pg: begin: %w", MapError(err))
	}
	defer func() {
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
	return nil
}

// WithTenantTx runs fn in a transaction whose row-level-security tenant is
// tenantID: app.tenant_id is set with set_config(..., true), so it lasts for
// this transaction only and never leaks to the next user of the connection.
func WithTenantTx(ctx context.Context, db *sqlx.DB, tenantID string, fn func(tx *sqlx.Tx) error) error {
	if _, err := uuid.Parse(tenantID); err != nil {
		return ErrNoTenant
	}
	return WithTx(ctx, db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenantID); err != nil {
			return fmt.Errorf("pg: set tenant: %w", err)
		}
		return fn(tx)
	})
}
