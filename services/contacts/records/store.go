package records

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// updateRecord changes the record id of t that conds select (a live one the
// caller may see, say) as change says (pgstore.Update): an update, a soft
// delete or a restore writes every column back.
func updateRecord(ctx context.Context, db *pgstore.DB, tenant string, t *pgstore.Table, id string, conds []pgstore.Cond,
	change func(*pgstore.Tx, customer.Record) (customer.Record, pgstore.Change, error)) (customer.Record, error) {
	return pgstore.Update(ctx, db, tenant, id, pgstore.Rows[customer.Record]{
		Entity: t.Entity,
		Lock: func(ctx context.Context, tx *pgstore.Tx, id string) (customer.Record, error) {
			return pgstore.GetRecord(ctx, tx, t, id, true, conds...)
		},
		Write: func(ctx context.Context, tx *pgstore.Tx, rec customer.Record, _ string) error {
			return pgstore.UpdateRecord(ctx, tx, t, rec)
		},
	}, change)
}

// insertRecords stores new records of k in the transaction's tenant, in one
// statement.
func insertRecords(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, recs []customer.Record) error {
	row := "(" + pgstore.CurrentTenant + ", :" + strings.Join(k.Columns, ", :") + ")"
	rows := make([]string, len(recs))
	var args []any
	for i, rec := range recs {
		q, a, err := sqlx.Named(row, rec)
		if err != nil {
			return fmt.Errorf("insert %s: %w", k.Entity, err)
		}
		rows[i], args = q, append(args, a...)
	}
	q := "INSERT INTO " + k.Name + " (tenant_id, " + strings.Join(k.Columns, ", ") + ") VALUES " + strings.Join(rows, ", ")
	if _, err := tx.Prepared().ExecContext(ctx, pgstore.Rebind(q), args...); err != nil {
		return fmt.Errorf("insert %s: %w", k.Entity, pg.MapError(err))
	}
	return nil
}

// liveAccountExists reports whether the live account id exists in the
// tenant.
func liveAccountExists(ctx context.Context, tx *pgstore.Tx, id string) (bool, error) {
	_, err := pgstore.GetRecord(ctx, tx, pgstore.Accounts, id, false, pgstore.Live)
	if err == customer.ErrAccountNotFound {
		return false, nil
	}
	return err == nil, err
}

// parentChainHas reports whether walking up from account id (inclusive)
// through parent_account_id reaches target: setting target's parent to id
// would then make a cycle.
func parentChainHas(ctx context.Context, tx *pgstore.Tx, id, target string) (bool, error) {
	var found bool
	err := tx.SQL().GetContext(ctx, &found, `
		WITH RECURSIVE chain(id, parent, depth) AS (
			SELECT id, parent_account_id, 1 FROM accounts WHERE id = $1
			UNION ALL
			SELECT a.id, a.parent_account_id, c.depth + 1 FROM accounts a JOIN chain c ON a.id = c.parent WHERE c.depth < 1000
		)
		SELECT EXISTS (SELECT 1 FROM chain WHERE id = $2)`, id, target)
	if err != nil {
		return false, fmt.Errorf("walk account parents: %w", pg.MapError(err))
	}
	return found, nil
}
