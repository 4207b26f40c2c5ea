package tenantdata

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/ids"
)

// Export writes the part of service holding tenant's rows of db to w: one
// REPEATABLE READ READ ONLY transaction reads every tenant-owned table but
// skip, each into a temporary file, then the part is written.
func Export(ctx context.Context, db *sql.DB, service, tenant string, w io.Writer, skip ...string) (Part, error) {
	if !ids.Valid(tenant) {
		return Part{}, ErrTenant
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return Part{}, fmt.Errorf("tenantdata: export: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if _, err := tx.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
		return Part{}, fmt.Errorf("tenantdata: export: %w", err)
	}
	p := Part{Format: Format, Service: service, Tenant: tenant, Time: time.Now().UTC(), Skipped: skip}
	if p.Schema, err = SchemaVersions(ctx, tx); err != nil {
		return Part{}, err
	}
	tables, err := Tables(ctx, tx, skip...)
	if err != nil {
		return Part{}, err
	}
	files := make([]*os.File, 0, len(tables))
	defer func() {
		for _, f := range files {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	for _, t := range tables {
		f, err := os.CreateTemp("", "tenantdata-*.jsonl")
		if err != nil {
			return Part{}, fmt.Errorf("tenantdata: export: %w", err)
		}
		files = append(files, f)
		d, err := dumpTable(ctx, tx, t, tenant, f)
		if err != nil {
			return Part{}, err
		}
		p.Tables = append(p.Tables, d)
	}
	if err := tx.Commit(); err != nil {
		return Part{}, fmt.Errorf("tenantdata: export: %w", err)
	}
	tw := tar.NewWriter(w)
	if err := writeJSON(tw, PartFile, p); err != nil {
		return Part{}, err
	}
	for i, f := range files {
		if err := copyEntry(tw, p.Tables[i].File, f); err != nil {
			return Part{}, err
		}
	}
	if err := tw.Close(); err != nil {
		return Part{}, fmt.Errorf("tenantdata: export: %w", err)
	}
	return p, nil
}

// dumpTable writes tenant's rows of t to f, one JSON array per line.
func dumpTable(ctx context.Context, tx *sql.Tx, t Table, tenant string, f *os.File) (TableData, error) {
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = pq.QuoteIdentifier(c) + "::text"
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM public.`+pq.QuoteIdentifier(t.Name)+
		` WHERE tenant_id = $1`, tenant)
	if err != nil {
		return TableData{}, fmt.Errorf("tenantdata: export %s: %w", t.Name, err)
	}
	defer rows.Close()
	sum := sha256.New()
	bw := bufio.NewWriter(io.MultiWriter(f, sum))
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	line := make([]*string, len(cols))
	d := TableData{Table: t, File: t.Name + ".jsonl"}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return TableData{}, fmt.Errorf("tenantdata: export %s: %w", t.Name, err)
		}
		for i, v := range vals {
			line[i] = nil
			if v.Valid {
				line[i] = &v.String
			}
		}
		if err := enc.Encode(line); err != nil { // one line: Encode ends it with \n
			return TableData{}, fmt.Errorf("tenantdata: export %s: %w", t.Name, err)
		}
		d.Rows++
	}
	if err := rows.Err(); err != nil {
		return TableData{}, fmt.Errorf("tenantdata: export %s: %w", t.Name, err)
	}
	if err := bw.Flush(); err != nil {
		return TableData{}, fmt.Errorf("tenantdata: export %s: %w", t.Name, err)
	}
	d.SHA256 = hex.EncodeToString(sum.Sum(nil))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return TableData{}, fmt.Errorf("tenantdata: export %s: %w", t.Name, err)
	}
	return d, nil
}

// writeJSON writes v as the tar entry name.
func writeJSON(tw *tar.Writer, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("tenantdata: %s: %w", name, err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("tenantdata: %s: %w", name, err)
	}
	if _, err := tw.Write(b); err != nil {
		return fmt.Errorf("tenantdata: %s: %w", name, err)
	}
	return nil
}

// copyEntry writes the rest of f (from its current offset) as entry name.
func copyEntry(tw *tar.Writer, name string, f *os.File) error {
	at, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("tenantdata: %s: %w", name, err)
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("tenantdata: %s: %w", name, err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: st.Size() - at, Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("tenantdata: %s: %w", name, err)
	}
	if _, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("tenantdata: %s: %w", name, err)
	}
	return nil
}
