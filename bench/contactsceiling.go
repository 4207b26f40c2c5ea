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

// contactColumns are the columns the service writes when it creates a
// contact, in its order (Contacts.Columns in
// services/contacts/internal/pgstore/records.go); tenant_id comes from the
// transaction's tenant.
var contactColumns = []string{"id", "first_name", "last_name", "display_name", "display_name_manual", "emails", "phones",
	"job_title", "account_id", "owner_id", "team_id", "lifecycle_stage", "source", "address", "consent",
	"tag_ids", "custom_fields", "created_at", "updated_at", "version", "deleted_at", "last_activity_at"}

// contactInsert is the service's INSERT of one contact, its tenant taken
// from the transaction as the service takes it (pgstore.CurrentTenant).
var contactInsert = func() string {
	ps := make([]string, len(contactColumns))
	for i := range ps {
		ps[i] = fmt.Sprintf("$%d", i+1)
	}
	return "INSERT INTO contacts (tenant_id, " + strings.Join(contactColumns, ", ") +
		") VALUES (CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid), " + strings.Join(ps, ", ") + ")"
}()

// schemaCeiling measures the same-schema ceiling of the create run: rows,
// the contacts the service stored (storedContacts), are inserted again as
// the runtime role through db, a pool on the service's own database (which
// the service migrated), each with a new UUIDv7 id and the time of its
// insert as the service gives them, into a new tenant, in
// writers×perWriter one-row INSERT transactions of pg.WithTenantTx. RLS
// checks each row, and the contacts schema's triggers (derived columns,
// match keys) and indexes work as for a create; there is no validation,
// duplicate check or outbox. It returns transactions/s.
func schemaCeiling(ctx context.Context, db *sqlx.DB, rows [][]sql.NullString, writers, perWriter int) (float64, error) {
	if len(rows) != writers*perWriter {
		return 0, fmt.Errorf("same-schema ceiling: %d contacts stored by the create run, want %d", len(rows), writers*perWriter)
	}
	id, created, updated := slices.Index(contactColumns, "id"), slices.Index(contactColumns, "created_at"), slices.Index(contactColumns, "updated_at")
	tenant := newTenant()
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for w := range writers {
		g.Go(func() error {
			for _, row := range rows[w*perWriter : (w+1)*perWriter] {
				args := make([]any, len(row))
				for i, v := range row {
					args[i] = v
				}
				now := time.Now().UTC()
				args[id], args[created], args[updated] = ids.New(), now, now
				if err := pg.WithTenantTx(gctx, db, tenant, func(tx *sqlx.Tx) error {
					_, err := tx.ExecContext(gctx, contactInsert, args...)
					return err
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

// storedContacts returns the contactColumns of tenant's contacts, oldest
// first, as the text PostgreSQL gives for each value (NULL as invalid).
func storedContacts(ctx context.Context, db *sqlx.DB, tenant string) ([][]sql.NullString, error) {
	cols := make([]string, len(contactColumns))
	for i, c := range contactColumns {
		cols[i] = c + "::text"
	}
	var out [][]sql.NullString
	err := pg.WithTenantTx(ctx, db, tenant, func(tx *sqlx.Tx) error {
		rs, err := tx.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM contacts ORDER BY created_at, id")
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			row := make([]sql.NullString, len(contactColumns))
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
		return nil, fmt.Errorf("read the created contacts: %w", err)
	}
	return out, nil
}
