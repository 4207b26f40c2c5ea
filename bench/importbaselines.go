package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
)

// importBaselines measures, on a scratch database of its own that the
// contacts binary migrates: INSERT … SELECT of the contacts tenant's import
// stored (read from src, the import's database), every column the import
// wrote, into the contacts table of a new tenant, as the runtime role in a
// tenant transaction (RLS, the derived-column and match-key triggers, every
// index; no validation, duplicate check or outbox), in one statement; and
// COPY of the file's rows, as text, into a bare table (no index, no RLS),
// through lib/pq as the import's COPY goes. It returns both in rows/s.
func importBaselines(ctx context.Context, st *contactsStack, src *sqlx.DB, tenant, file string) (float64, float64, error) {
	sdb, err := newScratchDB(ctx, serverURL())
	if err != nil {
		return 0, 0, err
	}
	defer sdb.Drop() //nolint:errcheck // best effort; the figures do not depend on it
	addr, err := proc.FreeAddr()
	if err != nil {
		return 0, 0, err
	}
	env := slices.Clone(st.env)
	for i, v := range env {
		switch {
		case strings.HasPrefix(v, "DATABASE_URL="):
			env[i] = "DATABASE_URL=" + sdb.AppURL
		case strings.HasPrefix(v, "DATABASE_MIGRATE_URL="):
			env[i] = "DATABASE_MIGRATE_URL=" + sdb.AdminURL
		}
	}
	stop, err := st.bin.start(ctx, "http://"+addr, append(env, "HTTP_ADDR="+addr))
	if err != nil {
		return 0, 0, err
	}
	stop() // the database is migrated
	admin, err := pg.Open(sdb.AdminURL, pg.Options{})
	if err != nil {
		return 0, 0, err
	}
	defer admin.Close()
	cols := strings.Join(contactColumns, ", ")
	if _, err := admin.ExecContext(ctx, `CREATE TABLE import_source AS SELECT `+cols+` FROM contacts LIMIT 0;
		CREATE TABLE import_raw (first_name text, last_name text, email text, phone text, job_title text, city text);
		GRANT SELECT ON import_source TO `+pq.QuoteIdentifier(sdb.AppRole)+`;
		GRANT INSERT ON import_raw TO `+pq.QuoteIdentifier(sdb.AppRole)); err != nil {
		return 0, 0, err
	}
	if err := copyContacts(ctx, src, admin, tenant); err != nil {
		return 0, 0, err
	}
	if _, err := admin.ExecContext(ctx, `VACUUM ANALYZE import_source`); err != nil {
		return 0, 0, err
	}
	app, err := pg.Open(sdb.AppURL, pg.Options{})
	if err != nil {
		return 0, 0, err
	}
	defer app.Close()
	start := time.Now()
	var n int64
	err = pg.WithTenantTx(ctx, app, newTenant(), func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO contacts (tenant_id, `+cols+`)
			SELECT CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid), `+cols+` FROM import_source`)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil || n != importRows {
		return 0, 0, fmt.Errorf("INSERT … SELECT: %d rows, %v", n, err)
	}
	baseline := float64(n) / time.Since(start).Seconds()
	raw, err := rawCopy(ctx, app, file)
	return baseline, raw, err
}

// copyContacts copies the contacts of tenant from src into import_source
// of dst, untimed.
func copyContacts(ctx context.Context, src, dst *sqlx.DB, tenant string) error {
	texts := make([]string, len(contactColumns))
	for i, c := range contactColumns {
		texts[i] = c + "::text"
	}
	rows, err := src.QueryContext(ctx, `SELECT `+strings.Join(texts, ", ")+` FROM contacts WHERE tenant_id = $1`, tenant)
	if err != nil {
		return err
	}
	defer rows.Close()
	return pg.WithTx(ctx, dst, func(tx *sqlx.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `COPY import_source (`+strings.Join(contactColumns, ", ")+`) FROM STDIN`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		row := make([]sql.NullString, len(contactColumns))
		dest, args := make([]any, len(row)), make([]any, len(row))
		for i := range row {
			dest[i] = &row[i]
		}
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			for i, v := range row {
				args[i] = nil
				if v.Valid {
					args[i] = v.String
				}
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		_, err = stmt.ExecContext(ctx)
		return err
	})
}

// rawCopy copies the rows of file (its header aside) into import_raw as
// the runtime role and returns rows/s.
func rawCopy(ctx context.Context, db *sqlx.DB, file string) (float64, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return 0, err
	}
	start := time.Now()
	n := 0
	err = pg.WithTx(ctx, db, func(tx *sqlx.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `COPY import_raw FROM STDIN`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		args := make([]any, 6)
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			for i, v := range rec {
				args[i] = v
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return err
			}
			n++
		}
		_, err = stmt.ExecContext(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("raw COPY: %w", err)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
