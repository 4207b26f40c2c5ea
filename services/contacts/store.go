package contacts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/services/contacts/customer"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
)

// currentTenant is the SQL value of the transaction's tenant.
const currentTenant = "CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid)"

// kind describes how accounts or contacts are stored.
type kind struct {
	entity    string // "contact" or "account": the event entity and custom field entity
	table     string
	columns   []string
	notFound  *errs.Error
	newRecord func() customer.Record
}

var contactKind = &kind{
	entity: customer.EntityContact, table: "contacts", notFound: customer.ErrContactNotFound,
	columns: []string{"id", "first_name", "last_name", "display_name", "display_name_manual", "emails", "phones",
		"job_title", "account_id", "owner_id", "team_id", "lifecycle_stage", "source", "address", "consent",
		"tag_ids", "custom_fields", "created_at", "updated_at", "version", "deleted_at", "last_activity_at"},
	newRecord: func() customer.Record { return &customer.Contact{} },
}

var accountKind = &kind{
	entity: customer.EntityAccount, table: "accounts", notFound: customer.ErrAccountNotFound,
	columns: []string{"id", "name", "domain", "industry", "size_band", "annual_revenue", "owner_id", "team_id",
		"parent_account_id", "billing_address", "shipping_address", "tag_ids", "custom_fields",
		"created_at", "updated_at", "version", "deleted_at"},
	newRecord: func() customer.Record { return &customer.Account{} },
}

// Store reads and writes the service's tables inside tenant transactions.
type Store struct {
	db    *sqlx.DB
	stmts *pg.Statements // the write path's statements (prepared)
}

// preparedStatements bounds the distinct queries a Store prepares: the write
// path's, in each scope's variant, the INSERT of each batch size up to
// maxBatch and the outbox INSERT.
const preparedStatements = 64

// NewStore returns a Store on db, a pool of the application role.
func NewStore(db *sqlx.DB) *Store {
	return &Store{db: db, stmts: pg.NewStatements(db, preparedStatements)}
}

// prepared returns tx running its queries as prepared statements. Only
// queries whose best plan does not depend on their parameters' values go
// through it (pg.Statements): the duplicate checks (their plans' shapes are
// fixed by LATERAL and LIMIT), the INSERT of records, the write rules, the
// key locks and the outbox INSERT — never a search.
func (s *Store) prepared(tx *sqlx.Tx) sqlx.ExtContext { return s.stmts.In(tx) }

// inTx runs fn in a transaction of tenant.
func (s *Store) inTx(ctx context.Context, tenant string, fn func(tx *sqlx.Tx) error) error {
	return pg.WithTenantTx(ctx, s.db, tenant, fn)
}

// selectRecords is the query of k's rows matching conds, ANDed.
func selectRecords(k *kind, conds []Cond, suffix string) (string, []any) {
	var where []string
	var args []any
	for _, c := range conds {
		if c.SQL != "" {
			where = append(where, "("+c.SQL+")")
			args = append(args, c.Args...)
		}
	}
	q := "SELECT " + strings.Join(k.columns, ", ") + " FROM " + k.table
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	return sqlx.Rebind(sqlx.DOLLAR, q+" "+suffix), args
}

// getRecord reads one record by id matching conds, locking it when
// forUpdate; a missing row is k.notFound.
func getRecord(ctx context.Context, tx *sqlx.Tx, k *kind, id string, forUpdate bool, conds ...Cond) (customer.Record, error) {
	suffix := ""
	if forUpdate {
		suffix = "FOR UPDATE"
	}
	q, args := selectRecords(k, append([]Cond{{"id = ?", []any{id}}}, conds...), suffix)
	rec := k.newRecord()
	if err := tx.GetContext(ctx, rec, q, args...); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, k.notFound
		}
		return nil, fmt.Errorf("get %s: %w", k.entity, pg.MapError(err))
	}
	rec.Base().UTC()
	return rec, nil
}

// Lists (filters, search, sorts and their keyset cursors) are built by
// listPlan in store_search.go.

// queryRecords runs a query returning k's columns.
func queryRecords(ctx context.Context, tx *sqlx.Tx, k *kind, q string, args ...any) ([]customer.Record, error) {
	rows, err := tx.QueryxContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", k.table, pg.MapError(err))
	}
	defer rows.Close()
	var out []customer.Record
	for rows.Next() {
		rec := k.newRecord()
		if err := rows.StructScan(rec); err != nil {
			return nil, fmt.Errorf("scan %s: %w", k.entity, err)
		}
		rec.Base().UTC()
		out = append(out, rec)
	}
	return out, rows.Err()
}

// insertRecords stores new records of k in the transaction's tenant, in one
// statement.
func insertRecords(ctx context.Context, tx sqlx.ExtContext, k *kind, recs []customer.Record) error {
	row := "(" + currentTenant + ", :" + strings.Join(k.columns, ", :") + ")"
	rows := make([]string, len(recs))
	var args []any
	for i, rec := range recs {
		q, a, err := sqlx.Named(row, rec)
		if err != nil {
			return fmt.Errorf("insert %s: %w", k.entity, err)
		}
		rows[i], args = q, append(args, a...)
	}
	q := "INSERT INTO " + k.table + " (tenant_id, " + strings.Join(k.columns, ", ") + ") VALUES " + strings.Join(rows, ", ")
	if _, err := tx.ExecContext(ctx, sqlx.Rebind(sqlx.DOLLAR, q), args...); err != nil {
		return fmt.Errorf("insert %s: %w", k.entity, pg.MapError(err))
	}
	return nil
}

// updateRecord writes every column of rec over its row.
func updateRecord(ctx context.Context, tx *sqlx.Tx, k *kind, rec customer.Record) error {
	sets := make([]string, 0, len(k.columns))
	for _, c := range k.columns[1:] {
		sets = append(sets, c+" = :"+c)
	}
	q := "UPDATE " + k.table + " SET " + strings.Join(sets, ", ") + " WHERE tenant_id = " + currentTenant + " AND id = :id"
	if _, err := tx.NamedExecContext(ctx, q, rec); err != nil {
		return fmt.Errorf("update %s: %w", k.entity, pg.MapError(err))
	}
	return nil
}

// byIDs is the condition "the row's id is one of ids" for k's table,
// written so that each id is looked up through the primary key and the rows
// are then read by their TIDs, whatever the table's statistics say. Written
// id IN (SELECT unnest(…)), a new database's planner — no statistics yet,
// an array of 10,000 ids estimated as 10 — joined the ids to a scan of the
// tenant's records in a nested loop: seconds for a bulk tag of 10,000 where
// this takes milliseconds; id = ANY(…) is no index condition under row-level
// security. A TID names one version of a row: an UPDATE by byIDs must come
// after lockByIDs, or it skips the rows changed since its snapshot.
func byIDs(k *kind, ids []string) Cond {
	return Cond{"ctid = ANY(ARRAY(SELECT r.ctid FROM unnest(?::uuid[]) q(id) CROSS JOIN LATERAL (SELECT ctid FROM " +
		k.table + " WHERE id = q.id OFFSET 0) r))", []any{pq.StringArray(ids)}}
}

// lockByIDs locks the rows of k that ids name, each looked up by primary
// key, in the order of their ids (so two callers cannot deadlock), waiting
// for their writers to commit. A later statement of the transaction sees
// their current versions, and no one else changes them.
func lockByIDs(ctx context.Context, tx *sqlx.Tx, k *kind, ids []string) error {
	sorted := make([]string, len(ids))
	for i, id := range ids {
		sorted[i] = strings.ToLower(id)
	}
	slices.Sort(sorted)
	if _, err := tx.ExecContext(ctx, lockByIDsSQL(k), pq.StringArray(sorted)); err != nil {
		return fmt.Errorf("lock %s: %w", k.table, pg.MapError(err))
	}
	return nil
}

// lockByIDsSQL is lockByIDs's statement for k: $1 is the sorted ids.
func lockByIDsSQL(k *kind) string {
	return `SELECT count(*) FROM unnest($1::uuid[]) q(id)
		CROSS JOIN LATERAL (SELECT 1 FROM ` + k.table + ` WHERE id = q.id FOR UPDATE) r`
}

// visibleIDs returns which of ids name live records of k matching conds.
func visibleIDs(ctx context.Context, tx *sqlx.Tx, k *kind, ids []string, conds []Cond) (map[string]bool, error) {
	conds = append([]Cond{byIDs(k, ids), {"deleted_at IS NULL", nil}}, conds...)
	q, args := selectRecords(k, conds, "")
	q = strings.Replace(q, "SELECT "+strings.Join(k.columns, ", "), "SELECT id", 1)
	var found []string
	if err := tx.SelectContext(ctx, &found, q, args...); err != nil {
		return nil, fmt.Errorf("find %s: %w", k.table, pg.MapError(err))
	}
	set := make(map[string]bool, len(found))
	for _, id := range found {
		set[id] = true
	}
	return set, nil
}

// retagRecords adds and removes tag ids on the live records ids of k matching
// conds, bumping the version of each record that changes, and returns those.
func retagRecords(ctx context.Context, tx *sqlx.Tx, k *kind, ids, add, remove []string, now time.Time, conds []Cond) ([]customer.Record, error) {
	if err := lockByIDs(ctx, tx, k, ids); err != nil {
		return nil, err
	}
	// A nil pq.StringArray binds as NULL, and "x <> ALL(NULL)" would drop
	// every tag: bind empty arrays instead.
	add, remove = append([]string{}, add...), append([]string{}, remove...)
	set := Cond{`tag_ids = ARRAY(SELECT x FROM unnest(tag_ids || ?::uuid[]) WITH ORDINALITY AS u(x, n)
		WHERE x <> ALL(?::uuid[]) GROUP BY x ORDER BY min(n)), version = version + 1, updated_at = ?`,
		[]any{pq.StringArray(add), pq.StringArray(remove), now}}
	conds = append([]Cond{byIDs(k, ids), {"deleted_at IS NULL AND (NOT tag_ids @> ?::uuid[] OR tag_ids && ?::uuid[])",
		[]any{pq.StringArray(add), pq.StringArray(remove)}}}, conds...)
	var where []string
	args := set.Args
	for _, c := range conds {
		where = append(where, "("+c.SQL+")")
		args = append(args, c.Args...)
	}
	q := sqlx.Rebind(sqlx.DOLLAR, "UPDATE "+k.table+" SET "+set.SQL+" WHERE "+strings.Join(where, " AND ")+
		" RETURNING "+strings.Join(k.columns, ", "))
	return queryRecords(ctx, tx, k, q, args...)
}

// parentChainHas reports whether walking up from account id (inclusive)
// through parent_account_id reaches target: setting target's parent to id
// would then make a cycle.
func parentChainHas(ctx context.Context, tx *sqlx.Tx, id, target string) (bool, error) {
	var found bool
	err := tx.GetContext(ctx, &found, `
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
