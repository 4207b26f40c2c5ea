package duplicates

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// setMergedInto marks the record id of k as merged into winner.
func setMergedInto(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, id, winner string) error {
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE "+k.Name+" SET merged_into = $2 WHERE id = $1", id, winner); err != nil {
		return fmt.Errorf("mark %s merged: %w", k.Entity, pg.MapError(err))
	}
	return nil
}

// repointRecords moves the records of k referring to the account from —
// contacts by account_id, accounts by parent_account_id — to the account
// to (but to itself), bumping their versions, and returns them.
func repointRecords(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, from, to string, now time.Time) ([]customer.Record, error) {
	column := "account_id"
	if k == pgstore.Accounts {
		column = "parent_account_id"
	}
	q := "UPDATE " + k.Name + " SET " + column + " = $2, version = version + 1, updated_at = $3 WHERE " +
		column + " = $1 AND id <> $2 RETURNING " + strings.Join(k.Columns, ", ")
	return pgstore.QueryRecords(ctx, tx, k, q, from, to, now)
}
