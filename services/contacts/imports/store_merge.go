package imports

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/jmoiron/sqlx/reflectx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// lockMatchKeys takes the transaction locks the duplicate check of every
// write takes (duplicates' lockKeys) on keys ("email:<address>",
// "phone:<E.164>"), in the same order, so that a contact written through the
// API with one of them is checked after the chunk commits, or the chunk
// finds it.
func lockMatchKeys(ctx context.Context, tx *pgstore.Tx, tenant string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := tx.SQL().ExecContext(ctx, `SELECT count(pg_advisory_xact_lock(hashtextextended(CAST($1 AS text) || ':' || s.key, 0)))
		FROM (SELECT DISTINCT k AS key FROM unnest($2::text[]) k ORDER BY 1) s`, tenant, pq.StringArray(keys))
	if err != nil {
		return fmt.Errorf("lock match keys: %w", pg.MapError(err))
	}
	return nil
}

// match is a live contact with a key ("email:<address>") of a row.
type match struct {
	Key string `db:"key"`
	ID  string `db:"id"`
}

// findMatches returns the live contacts p may see that have one of keys
// ("email:<address>", "phone:<E.164>"), each looked up in
// contact_match_keys by equality (the only lookup an index serves under
// row-level security).
func findMatches(ctx context.Context, tx *pgstore.Tx, p auth.Principal, keys []string) ([]match, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	kinds, values := make(pq.StringArray, len(keys)), make(pq.StringArray, len(keys))
	for i, k := range keys {
		kinds[i], values[i], _ = strings.Cut(k, ":")
	}
	q, args := findMatchesSQL(p, kinds, values)
	var out []match
	if err := tx.SQL().SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("find contacts by key: %w", pg.MapError(err))
	}
	return out, nil
}

// findMatchesSQL is findMatches' query and its arguments.
func findMatchesSQL(p auth.Principal, kinds, values pq.StringArray) (string, []any) {
	var a pgstore.Args
	scope := ""
	if c, ok := pgstore.ScopeCond(p); ok {
		scope = " AND " + a.Cond(c)
	}
	return `SELECT q.kind || ':' || q.value AS key, c.id
		FROM unnest(` + a.Bind(kinds) + `::text[], ` + a.Bind(values) + `::text[]) q(kind, value)
		CROSS JOIN LATERAL (SELECT contact_id FROM contact_match_keys WHERE kind = q.kind AND value = q.value LIMIT 20) k
		CROSS JOIN LATERAL (SELECT id FROM contacts WHERE id = k.contact_id AND deleted_at IS NULL` + scope + ` OFFSET 0) c`, a.List
}

// accountHit is a live account found by a row's id, domain or name (Key,
// as the row gives it).
type accountHit struct {
	Kind string `db:"kind"`
	Key  string `db:"key"`
	ID   string `db:"id"`
}

// findAccounts returns the live accounts with the given ids, domains
// (normalised) and names (in any case, as accounts.name_key lower-cases
// them), at most two per domain or name, so that a name two accounts share
// is seen to be ambiguous.
func findAccounts(ctx context.Context, tx *pgstore.Tx, ids, domains, names []string) ([]accountHit, error) {
	var out []accountHit
	err := tx.SQL().SelectContext(ctx, &out, findAccountsSQL, pq.StringArray(ids), pq.StringArray(domains), pq.StringArray(names))
	if err != nil {
		return nil, fmt.Errorf("find accounts: %w", pg.MapError(err))
	}
	return out, nil
}

// findAccountsSQL is findAccounts' query: $1 the ids, $2 the domains, $3
// the names. Each is looked up by equality on an index: the names are
// lower-cased before (lower() is not leakproof, so name_key = lower(…) is
// no index condition under row-level security), and a domain is said not
// to be empty (domain > ”, a second condition on accounts_domain), which
// the planner needs to be told where the statistics say that every account
// has the same domain, none: it would scan them all for one that has it.
const findAccountsSQL = `WITH n AS MATERIALIZED (SELECT q.key, lower(q.key) AS name_key FROM unnest($3::text[]) q(key))
	SELECT 'id' AS kind, q.key::text, a.id FROM unnest($1::uuid[]) q(key)
		CROSS JOIN LATERAL (SELECT id FROM accounts WHERE id = q.key AND deleted_at IS NULL) a
	UNION ALL
	SELECT 'domain', q.key, a.id FROM unnest($2::text[]) q(key)
		CROSS JOIN LATERAL (SELECT id FROM accounts WHERE domain = q.key AND domain > '' AND deleted_at IS NULL LIMIT 2) a
	UNION ALL
	SELECT 'name', n.key, a.id FROM n
		CROSS JOIN LATERAL (SELECT id FROM accounts WHERE name_key = n.name_key AND deleted_at IS NULL LIMIT 2) a`

// chunkTable is the temporary table a chunk's new contacts are copied into
// (migration 0017 says why it is temporary); each session makes it once.
const chunkTable = `CREATE TEMP TABLE IF NOT EXISTS import_chunk (LIKE contacts INCLUDING DEFAULTS, row_no bigint NOT NULL)
	ON COMMIT DELETE ROWS`

// contactFields are the paths to the fields of a customer.Contact stored in
// each of pgstore.Contacts' columns.
var contactFields = reflectx.NewMapperFunc("db", sqlx.NameMapper).
	TraversalsByName(reflect.TypeFor[customer.Contact](), pgstore.Contacts.Columns)

// insertContacts stores the new contacts cs, made by rows of import
// importID (rows[i] made cs[i]), in the transaction's tenant: copied into
// the chunk table, then merged into the contacts in one statement (the
// contacts' triggers and indexes do the rest), and noted as the import's.
func insertContacts(ctx context.Context, tx *pgstore.Tx, tenant, importID string, cs []*customer.Contact, rows []int64, at time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	if _, err := tx.SQL().ExecContext(ctx, chunkTable); err != nil {
		return fmt.Errorf("make chunk table: %w", pg.MapError(err))
	}
	cols := strings.Join(pgstore.Contacts.Columns, ", ")
	stmt, err := tx.SQL().PrepareContext(ctx, `COPY import_chunk (tenant_id, row_no, `+cols+`) FROM STDIN`)
	if err != nil {
		return fmt.Errorf("copy contacts: %w", pg.MapError(err))
	}
	defer stmt.Close()
	args := make([]any, 2+len(contactFields))
	for i, c := range cs {
		args[0], args[1] = tenant, rows[i]
		v := reflect.ValueOf(c).Elem()
		for j, path := range contactFields {
			if args[2+j], err = copyValue(reflectx.FieldByIndexesReadOnly(v, path).Interface()); err != nil {
				return fmt.Errorf("copy contacts: %s: %w", pgstore.Contacts.Columns[j], err)
			}
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("copy contacts: %w", pg.MapError(err))
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy contacts: %w", pg.MapError(err))
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO contacts (tenant_id, `+cols+`)
		SELECT tenant_id, `+cols+` FROM import_chunk ORDER BY row_no`); err != nil {
		return fmt.Errorf("insert contacts: %w", pg.MapError(err))
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO import_records (tenant_id, record_id, import_id, row_no, action, at)
		SELECT tenant_id, id, $1, row_no, 'created', $2 FROM import_chunk`, importID, at); err != nil {
		return fmt.Errorf("note imported contacts: %w", pg.MapError(err))
	}
	return nil
}

// copyValue is v as COPY takes it: a nil pointer NULL, a driver.Valuer its
// value, and JSON (which Valuers give as []byte, which COPY would write as
// bytea) text.
func copyValue(v any) (any, error) {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, nil
	}
	if vr, ok := v.(driver.Valuer); ok {
		var err error
		if v, err = vr.Value(); err != nil {
			return nil, err
		}
	}
	if b, ok := v.([]byte); ok {
		return string(b), nil
	}
	return v, nil
}
