package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Table describes how accounts or contacts are stored.
type Table struct {
	Entity   string // customer.EntityContact or EntityAccount: the event and custom field entity
	Name     string
	Alias    string // in list queries; the vocabulary's columns are qualified with it
	Columns  []string
	NotFound *errs.Error
	New      func() customer.Record
}

// The record tables.
var (
	Contacts = &Table{
		Entity: customer.EntityContact, Name: "contacts", Alias: "c", NotFound: customer.ErrContactNotFound,
		Columns: []string{"id", "first_name", "last_name", "display_name", "display_name_manual", "emails", "phones",
			"job_title", "account_id", "owner_id", "team_id", "lifecycle_stage", "source", "address", "consent",
			"tag_ids", "custom_fields", "created_at", "updated_at", "version", "deleted_at", "last_activity_at", "erased_at"},
		New: func() customer.Record { return &customer.Contact{} },
	}
	Accounts = &Table{
		Entity: customer.EntityAccount, Name: "accounts", Alias: "a", NotFound: customer.ErrAccountNotFound,
		Columns: []string{"id", "name", "domain", "industry", "size_band", "annual_revenue", "owner_id", "team_id",
			"parent_account_id", "billing_address", "shipping_address", "tag_ids", "custom_fields",
			"created_at", "updated_at", "version", "deleted_at", "last_activity_at"},
		New: func() customer.Record { return &customer.Account{} },
	}
)

// TableOf returns the table of entity (customer.EntityContact or
// EntityAccount).
func TableOf(entity string) *Table {
	if entity == customer.EntityAccount {
		return Accounts
	}
	return Contacts
}

// SelectRecords is the query of t's rows matching conds, ANDed, with
// suffix ("FOR UPDATE") appended.
func SelectRecords(t *Table, conds []Cond, suffix string) (string, []any) {
	where, args := Where(conds)
	q := "SELECT " + strings.Join(t.Columns, ", ") + " FROM " + t.Name
	if where != "" {
		q += " WHERE " + where
	}
	return Rebind(q + " " + suffix), args
}

// GetRecord reads one record of t by id matching conds, locking it when
// lock; a missing row is t.NotFound.
func GetRecord(ctx context.Context, tx *Tx, t *Table, id string, lock bool, conds ...Cond) (customer.Record, error) {
	suffix := ""
	if lock {
		suffix = "FOR UPDATE"
	}
	q, args := SelectRecords(t, append([]Cond{{"id = ?", []any{id}}}, conds...), suffix)
	rec := t.New()
	if err := tx.SQL().GetContext(ctx, rec, q, args...); err != nil {
		if errs.KindOf(pg.MapError(err)) == errs.NotFound {
			return nil, t.NotFound
		}
		return nil, fmt.Errorf("get %s: %w", t.Entity, pg.MapError(err))
	}
	rec.Base().UTC()
	return rec, nil
}

// QueryRecords runs a query returning t's columns.
func QueryRecords(ctx context.Context, tx *Tx, t *Table, q string, args ...any) ([]customer.Record, error) {
	rows, err := tx.SQL().QueryxContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t.Name, pg.MapError(err))
	}
	defer rows.Close()
	var out []customer.Record
	for rows.Next() {
		rec := t.New()
		if err := rows.StructScan(rec); err != nil {
			return nil, fmt.Errorf("scan %s: %w", t.Entity, err)
		}
		rec.Base().UTC()
		out = append(out, rec)
	}
	return out, rows.Err()
}

// UpdateRecord writes every column of rec over its row.
func UpdateRecord(ctx context.Context, tx *Tx, t *Table, rec customer.Record) error {
	sets := make([]string, 0, len(t.Columns))
	for _, c := range t.Columns[1:] {
		sets = append(sets, c+" = :"+c)
	}
	q := "UPDATE " + t.Name + " SET " + strings.Join(sets, ", ") + " WHERE tenant_id = " + CurrentTenant + " AND id = :id"
	if _, err := tx.SQL().NamedExecContext(ctx, q, rec); err != nil {
		return fmt.Errorf("update %s: %w", t.Entity, pg.MapError(err))
	}
	return nil
}

// MaxMergeChain bounds how many merges a tombstone's redirect, or a consent
// history's walk through merged contacts, follows.
const MaxMergeChain = 100

// FinalWinner returns the record that the merged record id of t ends up in,
// following later merges of its winners, or "" when id is not a merged
// record matching conds (the caller's scope).
func FinalWinner(ctx context.Context, tx *Tx, t *Table, id string, conds []Cond) (string, error) {
	where, args := Where(append([]Cond{{"id = ?", []any{id}}, {"merged_into IS NOT NULL", nil}}, conds...))
	q := fmt.Sprintf(`WITH RECURSIVE chain(id, next, depth) AS (
			SELECT id, merged_into, 1 FROM %[1]s WHERE %[2]s
			UNION ALL
			SELECT t.id, t.merged_into, c.depth + 1 FROM %[1]s t JOIN chain c ON t.id = c.next WHERE c.depth < %[3]d
		)
		SELECT id FROM chain WHERE depth > 1 ORDER BY depth DESC LIMIT 1`, t.Name, where, MaxMergeChain)
	var winner string
	err := tx.SQL().GetContext(ctx, &winner, Rebind(q), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("follow %s merges: %w", t.Entity, pg.MapError(err))
	}
	return winner, nil
}
