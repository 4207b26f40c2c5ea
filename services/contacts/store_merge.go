package contacts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// maxMergeChain bounds how many merges a tombstone's redirect follows.
const maxMergeChain = 100

// setMergedInto marks the record id of k as merged into winner.
func setMergedInto(ctx context.Context, tx *sqlx.Tx, k *kind, id, winner string) error {
	if _, err := tx.ExecContext(ctx, "UPDATE "+k.table+" SET merged_into = $2 WHERE id = $1", id, winner); err != nil {
		return fmt.Errorf("mark %s merged: %w", k.entity, pg.MapError(err))
	}
	return nil
}

// finalWinner returns the record that the merged record id of k ends up in,
// following later merges of its winners, or "" when id is not a merged
// record matching conds (the caller's scope).
func finalWinner(ctx context.Context, tx *sqlx.Tx, k *kind, id string, conds []Cond) (string, error) {
	where := []string{"id = ?", "merged_into IS NOT NULL"}
	args := []any{id}
	for _, c := range conds {
		if c.SQL != "" {
			where = append(where, "("+c.SQL+")")
			args = append(args, c.Args...)
		}
	}
	q := fmt.Sprintf(`WITH RECURSIVE chain(id, next, depth) AS (
			SELECT id, merged_into, 1 FROM %[1]s WHERE %[2]s
			UNION ALL
			SELECT t.id, t.merged_into, c.depth + 1 FROM %[1]s t JOIN chain c ON t.id = c.next WHERE c.depth < %[3]d
		)
		SELECT id FROM chain WHERE depth > 1 ORDER BY depth DESC LIMIT 1`, k.table, strings.Join(where, " AND "), maxMergeChain)
	var winner string
	err := tx.GetContext(ctx, &winner, sqlx.Rebind(sqlx.DOLLAR, q), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("follow %s merges: %w", k.entity, pg.MapError(err))
	}
	return winner, nil
}

// repointRecords sets column (a reference to an account) from from to to on
// every record of k but the account to itself, bumping their versions, and
// returns them.
func repointRecords(ctx context.Context, tx *sqlx.Tx, k *kind, column, from, to string, now time.Time) ([]customer.Record, error) {
	q := "UPDATE " + k.table + " SET " + column + " = $2, version = version + 1, updated_at = $3 WHERE " +
		column + " = $1 AND id <> $2 RETURNING " + strings.Join(k.columns, ", ")
	return queryRecords(ctx, tx, k, q, from, to, now)
}
