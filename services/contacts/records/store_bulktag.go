package records

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// byIDs is the condition "the row's id is one of ids" for k's table,
// written so that each id is looked up through the primary key and the rows
// are then read by their TIDs, whatever the table's statistics say. Written
// id IN (SELECT unnest(…)), a new database's planner — no statistics yet,
// an array of 10,000 ids estimated as 10 — joined the ids to a scan of the
// tenant's records in a nested loop: seconds for a bulk tag of 10,000 where
// this takes milliseconds; id = ANY(…) is no index condition under row-level
// security. A TID names one version of a row: an UPDATE by byIDs must come
// after lockByIDs, or it skips the rows changed since its snapshot.
func byIDs(k *pgstore.Table, ids []string) pgstore.Cond {
	return pgstore.Cond{SQL: "ctid = ANY(ARRAY(SELECT r.ctid FROM unnest(?::uuid[]) q(id) CROSS JOIN LATERAL (SELECT ctid FROM " +
		k.Name + " WHERE id = q.id OFFSET 0) r))", Args: []any{pq.StringArray(ids)}}
}

// lockByIDs locks the rows of k that ids name, each looked up by primary
// key, in the order of their ids (so two callers cannot deadlock), waiting
// for their writers to commit. A later statement of the transaction sees
// their current versions, and no one else changes them.
func lockByIDs(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, ids []string) error {
	sorted := make([]string, len(ids))
	for i, id := range ids {
		sorted[i] = strings.ToLower(id)
	}
	slices.Sort(sorted)
	if _, err := tx.SQL().ExecContext(ctx, lockByIDsSQL(k), pq.StringArray(sorted)); err != nil {
		return fmt.Errorf("lock %s: %w", k.Name, pg.MapError(err))
	}
	return nil
}

// lockByIDsSQL is lockByIDs's statement for k: $1 is the sorted ids.
func lockByIDsSQL(k *pgstore.Table) string {
	return `SELECT count(*) FROM unnest($1::uuid[]) q(id)
		CROSS JOIN LATERAL (SELECT 1 FROM ` + k.Name + ` WHERE id = q.id FOR UPDATE) r`
}

// visibleIDs returns which of ids name live records of k matching conds.
func visibleIDs(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, ids []string, conds []pgstore.Cond) (map[string]bool, error) {
	conds = append([]pgstore.Cond{byIDs(k, ids), pgstore.Live}, conds...)
	q, args := pgstore.SelectRecords(k, conds, "")
	q = strings.Replace(q, "SELECT "+strings.Join(k.Columns, ", "), "SELECT id", 1)
	var found []string
	if err := tx.SQL().SelectContext(ctx, &found, q, args...); err != nil {
		return nil, fmt.Errorf("find %s: %w", k.Name, pg.MapError(err))
	}
	set := make(map[string]bool, len(found))
	for _, id := range found {
		set[id] = true
	}
	return set, nil
}

// retagRecords adds and removes tag ids on the live records ids of k matching
// conds, bumping the version of each record that changes, and returns those.
func retagRecords(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, ids, add, remove []string, now time.Time, conds []pgstore.Cond) ([]customer.Record, error) {
	if err := lockByIDs(ctx, tx, k, ids); err != nil {
		return nil, err
	}
	// A nil pq.StringArray binds as NULL, and "x <> ALL(NULL)" would drop
	// every tag: bind empty arrays instead.
	add, remove = append([]string{}, add...), append([]string{}, remove...)
	set := pgstore.Cond{SQL: `tag_ids = ARRAY(SELECT x FROM unnest(tag_ids || ?::uuid[]) WITH ORDINALITY AS u(x, n)
		WHERE x <> ALL(?::uuid[]) GROUP BY x ORDER BY min(n)), version = version + 1, updated_at = ?`,
		Args: []any{pq.StringArray(add), pq.StringArray(remove), now}}
	conds = append([]pgstore.Cond{byIDs(k, ids), {SQL: "deleted_at IS NULL AND (NOT tag_ids @> ?::uuid[] OR tag_ids && ?::uuid[])",
		Args: []any{pq.StringArray(add), pq.StringArray(remove)}}}, conds...)
	var where []string
	args := set.Args
	for _, c := range conds {
		where = append(where, "("+c.SQL+")")
		args = append(args, c.Args...)
	}
	q := sqlx.Rebind(sqlx.DOLLAR, "UPDATE "+k.Name+" SET "+set.SQL+" WHERE "+strings.Join(where, " AND ")+
		" RETURNING "+strings.Join(k.Columns, ", "))
	return pgstore.QueryRecords(ctx, tx, k, q, args...)
}
