package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
)

// ceilingTable is what a same-schema ceiling inserts: the rows a create
// run stored in From, inserted again into Into (From itself, or a copy of
// it) with Columns, the columns the service writes when it creates one, in
// its order; tenant_id comes from the transaction's tenant.
type ceilingTable struct {
	From, Into string
	Columns    []string
}

// contactColumns are the columns the service writes when it creates a
// contact, in its order (Contacts.Columns in
// services/contacts/internal/pgstore/records.go).
var contactColumns = []string{"id", "first_name", "last_name", "display_name", "display_name_manual", "emails", "phones",
	"job_title", "account_id", "owner_id", "team_id", "lifecycle_stage", "source", "address", "consent",
	"tag_ids", "custom_fields", "created_at", "updated_at", "version", "deleted_at", "last_activity_at"}

// contactsCeiling inserts contacts into the service's own table.
var contactsCeiling = ceilingTable{From: "contacts", Into: "contacts", Columns: contactColumns}

// insert is the service's INSERT of one row into t.Into, its tenant taken
// from the transaction as the services take it (pgstore.CurrentTenant).
func (t ceilingTable) insert() string {
	ps := make([]string, len(t.Columns))
	for i := range ps {
		ps[i] = fmt.Sprintf("$%d", i+1)
	}
	return "INSERT INTO " + t.Into + " (tenant_id, " + strings.Join(t.Columns, ", ") +
		") VALUES (CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid), " + strings.Join(ps, ", ") + ")"
}

// schemaCeiling measures the same-schema ceiling of a create run: rows,
// the records the service stored (storedRows), are inserted again into
// t.Into as the runtime role through db, a pool on the service's own
// database (which the service migrated), each with a new UUIDv7 id and the
// time of its insert as the service gives them, into a new tenant, in
// writers×perWriter one-row INSERT transactions of pg.WithTenantTx. RLS
// checks each row, and the schema's triggers and indexes work as for a
// create; there is no validation or duplicate check. also, when not nil,
// runs in each transaction after the insert of rows[i] with its new id
// (the outbox insert of the leads' ceiling); the contacts' ceiling has
// none. It returns transactions/s.
func schemaCeiling(ctx context.Context, db *sqlx.DB, t ceilingTable, rows [][]sql.NullString, writers, perWriter int,
	also func(ctx context.Context, tx *sqlx.Tx, tenant string, i int, id string) error) (float64, error) {
	if len(rows) != writers*perWriter {
		return 0, fmt.Errorf("same-schema ceiling: %d rows of %s stored by the create run, want %d", len(rows), t.From, writers*perWriter)
	}
	id, created, updated := slices.Index(t.Columns, "id"), slices.Index(t.Columns, "created_at"), slices.Index(t.Columns, "updated_at")
	insert := t.insert()
	tenant := newTenant()
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for w := range writers {
		g.Go(func() error {
			for i := w * perWriter; i < (w+1)*perWriter; i++ {
				args := make([]any, len(rows[i]))
				for j, v := range rows[i] {
					args[j] = v
				}
				now, newID := time.Now().UTC(), ids.New()
				args[id], args[created], args[updated] = newID, now, now
				if err := pg.WithTenantTx(gctx, db, tenant, func(tx *sqlx.Tx) error {
					if _, err := tx.ExecContext(gctx, insert, args...); err != nil {
						return err
					}
					if also == nil {
						return nil
					}
					return also(gctx, tx, tenant, i, newID)
				}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, fmt.Errorf("same-schema ceiling: %w", err)
	}
	return float64(writers*perWriter) / time.Since(start).Seconds(), nil
}

// storedRows returns the t.Columns of tenant's rows of t.From, oldest
// first, as the text PostgreSQL gives for each value (NULL as invalid).
func storedRows(ctx context.Context, db *sqlx.DB, tenant string, t ceilingTable) ([][]sql.NullString, error) {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c + "::text"
	}
	var out [][]sql.NullString
	err := pg.WithTenantTx(ctx, db, tenant, func(tx *sqlx.Tx) error {
		rs, err := tx.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+t.From+" ORDER BY created_at, id")
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			row := make([]sql.NullString, len(t.Columns))
			dst := make([]any, len(row))
			for i := range row {
				dst[i] = &row[i]
			}
			if err := rs.Scan(dst...); err != nil {
				return err
			}
			out = append(out, row)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read the created rows of %s: %w", t.From, err)
	}
	return out, nil
}
