package tenantdata_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	_ "github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/tenantdata"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// schema is a service's schema in small: a parent and a child (a foreign
// key, so load order matters), a table with an identity key and one with a
// generated column, keys an insert trigger of the parent derives (without
// a foreign key: the trigger orders them), the number counters, the inbox
// and the outbox (left out).
const schema = `
-- +goose Up
CREATE TABLE accounts (tenant_id uuid NOT NULL, id uuid NOT NULL, name text NOT NULL, tags text[] NOT NULL DEFAULT '{}',
    attrs jsonb, PRIMARY KEY (tenant_id, id));
CREATE TABLE contacts (tenant_id uuid NOT NULL, id uuid NOT NULL, account_id uuid, note text,
    name_key text GENERATED ALWAYS AS (lower(note)) STORED, PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES accounts (tenant_id, id));
CREATE TABLE entries (tenant_id uuid NOT NULL, seq bigint GENERATED ALWAYS AS IDENTITY, body text NOT NULL,
    PRIMARY KEY (tenant_id, seq));
CREATE TABLE account_keys (tenant_id uuid NOT NULL, account_id uuid NOT NULL, key text NOT NULL,
    PRIMARY KEY (tenant_id, account_id));
CREATE TABLE number_sequences (tenant_id uuid NOT NULL, name text NOT NULL, last bigint NOT NULL, PRIMARY KEY (tenant_id, name));
CREATE TABLE inbox (tenant_id uuid NOT NULL, id uuid NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE outbox (seq bigserial PRIMARY KEY, tenant_id uuid NOT NULL, data text NOT NULL);
-- +goose StatementBegin
CREATE FUNCTION account_keys_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_keys VALUES (NEW.tenant_id, NEW.id, lower(NEW.name));
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER account_keys_sync AFTER INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION account_keys_sync();
`

// tables are the tenant-owned tables of schema.
var tables = []string{"accounts", "contacts", "entries", "account_keys", "number_sequences", "inbox", "outbox"}

// rls is the policy of every table.
func rls() string {
	var b strings.Builder
	b.WriteString("-- +goose Up\n")
	for _, t := range tables {
		b.WriteString("ALTER TABLE " + t + " ENABLE ROW LEVEL SECURITY; ALTER TABLE " + t + " FORCE ROW LEVEL SECURITY;\n")
		b.WriteString("CREATE POLICY tenant_isolation ON " + t + " USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);\n")
	}
	return b.String()
}

// database makes a migrated database and returns the application role's
// pool.
func database(t *testing.T, extra ...string) *sql.DB {
	t.Helper()
	ctx := context.Background()
	p := testkit.Postgres(t)
	files := fstest.MapFS{"m/0001_schema.sql": {Data: []byte(schema)}, "m/0002_rls.sql": {Data: []byte(rls())}}
	for i, e := range extra {
		files["m/000"+string(rune('3'+i))+"_extra.sql"] = &fstest.MapFile{Data: []byte("-- +goose Up\n" + e)}
	}
	owner, err := sql.Open("postgres", p.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if err := pg.Migrate(ctx, owner, slog.New(slog.DiscardHandler), p.AppRole, pg.EmbeddedSource("svc", files, "m")); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("postgres", p.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// exec runs statements as tenant.
func exec(t *testing.T, db *sql.DB, tenant string, stmts ...string) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit
	if _, err := tx.Exec(`SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
		t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := tx.Exec(strings.ReplaceAll(s, "$T", "'"+tenant+"'")); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// dump returns every row of tenant, table by table, as text with the tenant
// id blanked.
func dump(t *testing.T, db *sql.DB, tenant string) map[string][]string {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if _, err := tx.Exec(`SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables[:6] {
		rows, err := tx.Query(`SELECT replace(x::text, $1, '-') FROM `+table+` x ORDER BY x::text`, tenant)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// seed fills tenant with a row of every kind.
func seed(t *testing.T, db *sql.DB, tenant string) {
	a, c := ids.New(), ids.New()
	exec(t, db, tenant,
		`INSERT INTO accounts VALUES ($T, '`+a+`', 'Acme	"Tab"\n', '{x,"y z",NULL}', '{"k": [1, "é\\n"]}')`,
		`INSERT INTO accounts VALUES ($T, '`+ids.New()+`', 'Empty', '{}', NULL)`,
		`INSERT INTO contacts (tenant_id, id, account_id, note) VALUES ($T, '`+c+`', '`+a+`', E'Back\\\\slash\nNew line'), ($T, '`+ids.New()+`', NULL, NULL)`,
		`INSERT INTO entries (tenant_id, body) VALUES ($T, 'one'), ($T, 'two')`,
		`INSERT INTO number_sequences VALUES ($T, 'quote', 41)`,
		`INSERT INTO inbox VALUES ($T, '`+ids.New()+`')`,
		`INSERT INTO outbox (tenant_id, data) VALUES ($T, 'event')`,
	)
}

// export returns tenant's part of db.
func export(t *testing.T, db *sql.DB, tenant string) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := tenantdata.Export(context.Background(), db, "svc", tenant, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestTenantExportRoundTrip exports a tenant and imports it into another
// tenant id of another database, through an archive: every row comes back
// (the tenant id rewritten, generated and trigger-made columns as they
// were), the outbox stays behind, the identity sequence moves past the
// loaded keys, and the other tenant of the source is not in the part.
func TestTenantExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src, dst := database(t), database(t)
	from, other, to := ids.New(), ids.New(), ids.New()
	seed(t, src, from)
	seed(t, src, other)
	part := export(t, src, from)

	header, err := tenantdata.ReadPartHeader(bytes.NewReader(part))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, tb := range header.Tables {
		counts[tb.Name] = tb.Rows
	}
	want := map[string]int64{"accounts": 2, "contacts": 2, "entries": 2, "account_keys": 2, "number_sequences": 1, "inbox": 1}
	if !reflect.DeepEqual(counts, want) || header.Schema["svc"] != 2 {
		t.Fatalf("part tables %v schema %v, want %v and svc at 2", counts, header.Schema, want)
	}
	if header.Tables[0].Name != "accounts" || header.Tables[len(header.Tables)-1].Name == "accounts" {
		t.Fatalf("load order %v does not start with the referenced table", header.Tables)
	}

	var archive bytes.Buffer
	m := tenantdata.Manifest{Tenant: from, Slug: "acme", Parts: []tenantdata.Part{header}}
	if err := tenantdata.WriteArchive(&archive, m, []io.Reader{bytes.NewReader(part)}); err != nil {
		t.Fatal(err)
	}
	u, err := tenantdata.ReadArchive(&archive)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if _, err := tenantdata.Import(ctx, dst, to, u.Files[0], tenantdata.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, dst, to), dump(t, src, from); !reflect.DeepEqual(got, want) {
		t.Fatalf("imported rows\n%v\nwant\n%v", got, want)
	}
	exec(t, dst, to, `INSERT INTO entries (tenant_id, body) VALUES ($T, 'three')`)
	rows, err := tenantdata.CountRows(ctx, dst, "svc", to)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Tables["entries"] != 3 || rows.Tables["outbox"] != 0 {
		t.Fatalf("after one more entry the tenant holds %v", rows.Tables)
	}
}

// TestTenantExportRefusals: a tenant that holds rows (409, naming the
// table), an entry whose bytes changed (checksum), a part of a schema
// version the target lacks, and of a newer format are refused, and nothing
// is loaded.
func TestTenantExportRefusals(t *testing.T) {
	ctx := context.Background()
	src, dst := database(t, "CREATE TABLE spare (x int);"), database(t)
	from := ids.New()
	seed(t, src, from)
	part := export(t, src, from)

	busy := ids.New()
	exec(t, dst, busy, `INSERT INTO inbox VALUES ($T, '`+ids.New()+`')`)
	_, err := tenantdata.Import(ctx, dst, busy, bytes.NewReader(part), tenantdata.ImportOptions{})
	assertKind(t, err, errs.Unprocessable, "svc")

	dst = database(t, "CREATE TABLE spare (x int);")
	exec(t, dst, busy, `INSERT INTO inbox VALUES ($T, '`+ids.New()+`')`)
	_, err = tenantdata.Import(ctx, dst, busy, bytes.NewReader(part), tenantdata.ImportOptions{})
	assertKind(t, err, errs.Conflict, "inbox")

	fresh := ids.New()
	tampered := bytes.Replace(part, []byte("Acme"), []byte("Acne"), 1)
	_, err = tenantdata.Import(ctx, dst, fresh, bytes.NewReader(tampered), tenantdata.ImportOptions{})
	assertKind(t, err, errs.Invalid, "accounts")
	if rows, err := tenantdata.CountRows(ctx, dst, "svc", fresh); err != nil || len(rows.Tables) != 0 {
		t.Fatalf("a refused import left %v (%v)", rows.Tables, err)
	}
	newer := bytes.Replace(part, []byte(`"format": 1`), []byte(`"format": 9`), 1)
	_, err = tenantdata.Import(ctx, dst, fresh, bytes.NewReader(newer), tenantdata.ImportOptions{})
	assertKind(t, err, errs.Unprocessable, "format 9")
}

// assertKind fails unless err is an errs.Error of kind whose text holds
// what.
func assertKind(t *testing.T, err error, kind errs.Kind, what string) {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != kind || !strings.Contains(err.Error(), what) {
		t.Fatalf("got %v, want a %s error naming %q", err, kind, what)
	}
}
