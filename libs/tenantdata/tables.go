package tenantdata

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/lib/pq"
)

// Excluded are the tables with a tenant_id that are never moved: the outbox
// (events still to publish, published again by nobody once moved) and the
// idempotency keys (answers to requests made to the old place).
var Excluded = []string{"outbox", "idempotency_keys"}

// Table is a tenant-owned table.
type Table struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"` // every column but generated ones, in table order
	serials []serial // columns that take their default from a sequence
}

// serial is a column filled from a sequence (serial or identity).
type serial struct{ column, sequence string }

// querier is what tables needs: a *sql.DB, a *sql.Conn or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Tables lists the tenant-owned tables of the database in load order
// (referenced tables first), leaving out Excluded and skip.
func Tables(ctx context.Context, q querier, skip ...string) ([]Table, error) {
	names, err := strings1(ctx, q, `
		SELECT c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	names = slices.DeleteFunc(names, func(n string) bool { return slices.Contains(Excluded, n) || slices.Contains(skip, n) })
	ordered, err := loadOrder(ctx, q, names)
	if err != nil {
		return nil, err
	}
	out := make([]Table, 0, len(ordered))
	for _, name := range ordered {
		t := Table{Name: name}
		if t.Columns, err = strings1(ctx, q, `
			SELECT attname FROM pg_attribute
			WHERE attrelid = ('public.' || quote_ident($1))::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
			ORDER BY attnum`, name); err != nil {
			return nil, err
		}
		for _, c := range t.Columns {
			var seq sql.NullString
			if err := queryRow(ctx, q, `SELECT pg_get_serial_sequence('public.' || quote_ident($1), $2)`, []any{name, c}, &seq); err != nil {
				return nil, err
			}
			if seq.Valid {
				t.serials = append(t.serials, serial{column: c, sequence: seq.String})
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// loadOrder sorts names so that every table comes after the tables its
// foreign keys reference (a table's references to itself aside), and after
// the tables whose insert triggers insert into it (derived keys: Import
// replaces what they made with the archived rows). A cycle is an error
// naming its tables.
func loadOrder(ctx context.Context, q querier, names []string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT c.relname, r.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_class r ON r.oid = k.confrelid
		WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace AND k.conrelid <> k.confrelid`)
	if err != nil {
		return nil, fmt.Errorf("tenantdata: foreign keys: %w", err)
	}
	defer rows.Close()
	deps := map[string][]string{}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			return nil, fmt.Errorf("tenantdata: foreign keys: %w", err)
		}
		if slices.Contains(names, from) && slices.Contains(names, to) {
			deps[from] = append(deps[from], to)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tenantdata: foreign keys: %w", err)
	}
	if err := triggerDeps(ctx, q, names, deps); err != nil {
		return nil, err
	}
	var out []string
	done := map[string]bool{}
	for len(out) < len(names) {
		progress := false
		for _, n := range names {
			if done[n] || slices.ContainsFunc(deps[n], func(d string) bool { return !done[d] }) {
				continue
			}
			done[n], progress = true, true
			out = append(out, n)
		}
		if !progress {
			left := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return done[n] })
			return nil, fmt.Errorf("tenantdata: the foreign keys of %s form a cycle", strings.Join(left, ", "))
		}
	}
	return out, nil
}

// SchemaVersions returns the version of every goose source of the database
// (its goose_<source> table): what a part records and what an import
// compares.
func SchemaVersions(ctx context.Context, q querier) (map[string]int64, error) {
	tables, err := strings1(ctx, q, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'goose\_%'`)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, t := range tables {
		var v sql.NullInt64
		if err := queryRow(ctx, q, `SELECT max(version_id) FROM public.`+pq.QuoteIdentifier(t)+` WHERE is_applied`, nil, &v); err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(t, "goose_")] = v.Int64
	}
	return out, nil
}

// strings1 runs a query of one text column.
func strings1(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("tenantdata: catalogue: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("tenantdata: catalogue: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("tenantdata: catalogue: %w", err)
	}
	return out, nil
}

// queryRow scans the one row of query into dest.
func queryRow(ctx context.Context, q querier, query string, args []any, dest ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("tenantdata: catalogue: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("tenantdata: catalogue: %w", err)
		}
		return fmt.Errorf("tenantdata: catalogue: no row for %q", query)
	}
	if err := rows.Scan(dest...); err != nil {
		return fmt.Errorf("tenantdata: catalogue: %w", err)
	}
	return rows.Close()
}

// triggerDeps adds to deps, for every table of names an insert trigger of
// another inserts into (its function's source says INSERT INTO it), that
// other table.
func triggerDeps(ctx context.Context, q querier, names []string, deps map[string][]string) error {
	rows, err := q.QueryContext(ctx, `
		SELECT c.relname, p.prosrc FROM pg_trigger tg
		JOIN pg_class c ON c.oid = tg.tgrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_proc p ON p.oid = tg.tgfoid
		WHERE NOT tg.tgisinternal AND n.nspname = 'public' AND tg.tgtype & 4 <> 0`)
	if err != nil {
		return fmt.Errorf("tenantdata: triggers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, src string
		if err := rows.Scan(&table, &src); err != nil {
			return fmt.Errorf("tenantdata: triggers: %w", err)
		}
		if !slices.Contains(names, table) {
			continue
		}
		for _, n := range names {
			into := regexp.MustCompile(`(?i)insert\s+into\s+(public\.)?"?` + regexp.QuoteMeta(n) + `\b`)
			if n != table && into.MatchString(src) && !slices.Contains(deps[n], table) {
				deps[n] = append(deps[n], table)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("tenantdata: triggers: %w", err)
	}
	return nil
}
