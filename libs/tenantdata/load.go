package tenantdata

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/ids"
)

// ImportOptions change what Import does with the tenant's rows already in
// the database.
type ImportOptions struct {
	// Replace deletes the tenant's rows of every tenant-owned table before
	// loading, instead of refusing a tenant that holds some with
	// ErrNotEmpty. The gateway uses it for its own rows of a tenant it has
	// just created (the built-in roles, the invited administrator).
	Replace bool
	// Keep names tables Replace leaves as they are (an audit log).
	Keep []string
	// Skip names tables of the part not to load.
	Skip []string
}

// Import loads a part (Export's output) into db as tenant's rows, in one
// transaction: nothing is loaded unless everything is. It refuses a part of
// a newer Format or of a schema version the database does not have
// (ErrUnsupported), a tenant that holds rows (ErrNotEmpty, naming the
// table), and an entry that does not match its checksum or row count
// (ErrChecksum).
func Import(ctx context.Context, db *sql.DB, tenant string, r io.Reader, o ImportOptions) (Part, error) {
	if !ids.Valid(tenant) {
		return Part{}, ErrTenant
	}
	tr := tar.NewReader(r)
	p, err := readPart(tr)
	if err != nil {
		return Part{}, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Part{}, fmt.Errorf("tenantdata: import: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
		return Part{}, fmt.Errorf("tenantdata: import: %w", err)
	}
	targets, err := checkSchema(ctx, tx, p)
	if err != nil {
		return Part{}, err
	}
	for _, k := range o.Keep {
		delete(targets, k)
	}
	if err := prepareTenant(ctx, tx, p.Service, tenant, targets, o.Replace); err != nil {
		return Part{}, err
	}
	for i, t := range p.Tables {
		h, err := tr.Next()
		if err != nil || h.Name != t.File {
			return Part{}, ErrArchive.WithDetail("%s: the entry %s is missing or out of order", p.Service, t.File)
		}
		if slices.Contains(o.Skip, t.Name) {
			continue
		}
		left, err := loadTable(ctx, tx, t, tenant, tr)
		if err != nil {
			return Part{}, fmt.Errorf("%s: %w", p.Service, err)
		}
		p.Tables[i].Left = left
		if t.Rows > 0 {
			if err := moveSequences(ctx, tx, targets[t.Name]); err != nil {
				return Part{}, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return Part{}, fmt.Errorf("tenantdata: import: %w", err)
	}
	return p, nil
}

// readPart reads a part's first entry.
func readPart(tr *tar.Reader) (Part, error) {
	h, err := tr.Next()
	if err != nil || h.Name != PartFile {
		return Part{}, ErrArchive.WithDetail("a part starts with %s", PartFile)
	}
	var p Part
	if err := json.NewDecoder(io.LimitReader(tr, 16<<20)).Decode(&p); err != nil {
		return Part{}, ErrArchive.WithDetail("%s is not valid JSON", PartFile).Wrap(err)
	}
	if p.Format < 1 || p.Format > Format {
		return Part{}, ErrUnsupported.WithDetail("format %d; this version reads formats up to %d", p.Format, Format)
	}
	for _, t := range p.Tables {
		if !slices.Contains(t.Columns, "tenant_id") {
			return Part{}, ErrArchive.WithDetail("%s: table %s has no tenant_id column", p.Service, t.Name)
		}
	}
	return p, nil
}

// checkSchema refuses p unless the database has every goose source of p at
// p's version or later, and every table and column of p; it returns the
// database's tenant-owned tables by name.
func checkSchema(ctx context.Context, tx *sql.Tx, p Part) (map[string]Table, error) {
	have, err := SchemaVersions(ctx, tx)
	if err != nil {
		return nil, err
	}
	for source, v := range p.Schema {
		if have[source] < v {
			return nil, ErrUnsupported.WithDetail("%s: the archive's schema %s is at version %d, this deployment's at %d", p.Service, source, v, have[source])
		}
	}
	tables, err := Tables(ctx, tx)
	if err != nil {
		return nil, err
	}
	byName := map[string]Table{}
	for _, t := range tables {
		byName[t.Name] = t
	}
	for _, t := range p.Tables {
		target, ok := byName[t.Name]
		if !ok {
			return nil, ErrUnsupported.WithDetail("%s: this deployment has no table %s", p.Service, t.Name)
		}
		for _, c := range t.Columns {
			if !slices.Contains(target.Columns, c) {
				return nil, ErrUnsupported.WithDetail("%s: this deployment's table %s has no column %s", p.Service, t.Name, c)
			}
		}
	}
	return byName, nil
}

// prepareTenant deletes the tenant's rows (replace) or refuses a tenant that has
// some.
func prepareTenant(ctx context.Context, tx *sql.Tx, service, tenant string, tables map[string]Table, replace bool) error {
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	ordered, err := loadOrder(ctx, tx, names)
	if err != nil {
		return err
	}
	slices.Reverse(ordered)
	for _, n := range ordered {
		if replace {
			if _, err := tx.ExecContext(ctx, `DELETE FROM public.`+pq.QuoteIdentifier(n)+` WHERE tenant_id = $1`, tenant); err != nil {
				return fmt.Errorf("tenantdata: clear %s: %w", n, err)
			}
			continue
		}
		var held bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM public.`+pq.QuoteIdentifier(n)+` WHERE tenant_id = $1)`, tenant).Scan(&held); err != nil {
			return fmt.Errorf("tenantdata: check %s: %w", n, err)
		}
		if held {
			return ErrNotEmpty.WithDetail("%s already holds rows of the tenant (table %s)", service, n)
		}
	}
	return nil
}

// loadTable copies t's entry (r) into the table, the tenant id rewritten,
// checking the entry's checksum and row count before the COPY ends. Rows
// the load of earlier tables made through triggers (derived keys) are
// deleted first: the entry holds them as they were. A row unique on the
// whole database (an index without tenant_id: a mailbox address) that
// another tenant holds is left out; it returns how many were.
func loadTable(ctx context.Context, tx *sql.Tx, t TableData, tenant string, r io.Reader) (left int64, err error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM public.`+pq.QuoteIdentifier(t.Name)+` WHERE tenant_id = $1`, tenant); err != nil {
		return 0, fmt.Errorf("tenantdata: load %s: %w", t.Name, err)
	}
	// COPY cannot write into a table under row-level security: the rows go
	// to a temporary table first, then into the table by INSERT, which the
	// policy checks.
	staging := "tenantdata_" + t.Name
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE `+pq.QuoteIdentifier(staging)+` (LIKE public.`+pq.QuoteIdentifier(t.Name)+`) ON COMMIT DROP`); err != nil {
		return 0, fmt.Errorf("tenantdata: load %s: %w", t.Name, err)
	}
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn(staging, t.Columns...))
	if err != nil {
		return 0, fmt.Errorf("tenantdata: load %s: %w", t.Name, err)
	}
	defer stmt.Close()
	tenantCol := slices.Index(t.Columns, "tenant_id")
	sum := sha256.New()
	br := bufio.NewReader(io.TeeReader(r, sum))
	vals := make([]any, len(t.Columns))
	var rows int64
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) && len(line) == 0 {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, ErrArchive.WithDetail("table %s cannot be read", t.Name).Wrap(err)
		}
		var row []*string
		if err := json.Unmarshal(bytes.TrimSpace(line), &row); err != nil || len(row) != len(t.Columns) {
			return 0, ErrChecksum.WithDetail("table %s: line %d is not a row of %d columns", t.Name, rows+1, len(t.Columns))
		}
		for i, v := range row {
			vals[i] = nil
			if v != nil {
				vals[i] = *v
			}
		}
		vals[tenantCol] = tenant
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return 0, fmt.Errorf("tenantdata: load %s: %w", t.Name, err)
		}
		rows++
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != t.SHA256 || rows != t.Rows {
		return 0, ErrChecksum.WithDetail("table %s: %d rows with SHA-256 %s, the manifest says %d rows with %s", t.Name, rows, got, t.Rows, t.SHA256)
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return 0, fmt.Errorf("tenantdata: load %s: %w", t.Name, err)
	}
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = pq.QuoteIdentifier(c)
	}
	list := strings.Join(cols, ", ")
	var platformUnique bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_index i
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attname = 'tenant_id'
		WHERE i.indrelid = ('public.' || quote_ident($1))::regclass AND i.indisunique AND NOT a.attnum = ANY (i.indkey))`, t.Name).Scan(&platformUnique); err != nil {
		return 0, fmt.Errorf("tenantdata: load %s: %w", t.Name, err)
	}
	conflict := ""
	if platformUnique {
		conflict = " ON CONFLICT DO NOTHING"
	}
	done, err := tx.ExecContext(ctx, `INSERT INTO public.`+pq.QuoteIdentifier(t.Name)+` (`+list+`) OVERRIDING SYSTEM VALUE SELECT `+list+
		` FROM `+pq.QuoteIdentifier(staging)+conflict)
	if err != nil {
		return 0, fmt.Errorf("tenantdata: load %s: %w", t.Name, err)
	}
	n, err := done.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("tenantdata: load %s: %w", t.Name, err)
	}
	return rows - n, nil
}

// moveSequences sets every sequence of t at least to the greatest value the
// table holds, so the next row the service adds takes a new one.
func moveSequences(ctx context.Context, tx *sql.Tx, t Table) error {
	for _, s := range t.serials {
		_, err := tx.ExecContext(ctx, `SELECT setval($1::regclass, GREATEST(
			(SELECT max(`+pq.QuoteIdentifier(s.column)+`) FROM public.`+pq.QuoteIdentifier(t.Name)+`),
			(SELECT last_value FROM `+s.sequence+`)))`, s.sequence)
		if err != nil {
			return fmt.Errorf("tenantdata: sequence %s: %w", s.sequence, err)
		}
	}
	return nil
}
