package imports

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/internal/testdb"
)

// uploadFile starts an import of file as p with s and returns its error.
func uploadFile(s *service, p auth.Principal, file []byte) (*Import, error) {
	ctx := auth.WithPrincipal(context.Background(), p)
	return s.Start(ctx, Upload{Options: Options{Mapping: map[string]string{"email": "emails"}}, FileName: "big.csv", File: bytes.NewReader(file)})
}

// TestAFileOverTheLimitLeavesNothing streams a file larger than the limit
// (here 1.5 MiB, for the test's sake; 1 GiB in the service): the upload is
// ErrFileTooLarge once the limit is passed, after parts were stored, and
// nothing of it stays.
func TestAFileOverTheLimitLeavesNothing(t *testing.T) {
	admin, app := testdb.Migrated(t)
	s := &service{store: NewStore(pgstore.New(app, "")), now: time.Now, maxFile: 3 << 19}
	p := auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString()}
	file := []byte("email\n" + strings.Repeat("someone@example.com\n", 3<<20/20))
	if _, err := uploadFile(s, p, file); !errors.Is(err, ErrFileTooLarge) {
		t.Fatalf("upload of %d bytes: %v, want %v", len(file), err, ErrFileTooLarge)
	}
	var n int
	if err := admin.Get(&n, `SELECT (SELECT count(*) FROM imports) + (SELECT count(*) FROM import_files)`); err != nil || n != 0 {
		t.Errorf("%d rows of imports and files left (%v), want none", n, err)
	}
	im, err := uploadFile(s, p, file[:3<<19])
	if err != nil || im.State != StateQueued || im.SizeBytes != 3<<19 || im.TextBytes != 3<<19 {
		t.Errorf("upload of the limit: %+v, %v; want it queued", im, err)
	}
}

// TestClaimTakesAJobWhoseInstanceStopped checks the lease: a running job
// is not taken while its lease runs, is taken once it has run out (its
// instance stopped without letting it go), and the instance that lost it
// can no longer commit a chunk of it.
func TestClaimTakesAJobWhoseInstanceStopped(t *testing.T) {
	admin, app := testdb.Migrated(t)
	store := NewStore(pgstore.New(app, ""))
	s := &service{store: store, now: time.Now, maxFile: MaxFileBytes}
	p := auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString()}
	im, err := uploadFile(s, p, []byte("email\na@x.io\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	claim := func(runner string) *claimed {
		c, err := store.claim(ctx, p.TenantID, im.ID, runner, time.Minute, maxIdleClaims, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := claim("first"); c == nil || c.State != StateRunning {
		t.Fatalf("claim of a queued job: %+v", c)
	}
	if c := claim("second"); c != nil {
		t.Fatalf("a job whose lease runs was claimed again: %+v", c)
	}
	if _, err := admin.Exec(`UPDATE imports SET lease_until = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if c := claim("second"); c == nil || c.IdleClaims != 2 {
		t.Fatalf("claim of a job whose lease ran out: %+v", c)
	}
	for runner, want := range map[string]bool{"first": false, "second": true} {
		var mine bool
		err := store.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) (err error) {
			mine, err = holds(ctx, tx, im.ID, runner)
			return err
		})
		if err != nil || mine != want {
			t.Errorf("%s holds the job: %v (%v), want %v", runner, mine, err, want)
		}
	}
	if _, err := admin.Exec(`UPDATE imports SET lease_until = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if c := claim("third"); c == nil {
		t.Fatal("third claim refused")
	}
	if _, err := admin.Exec(`UPDATE imports SET lease_until = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if c := claim("fourth"); c != nil {
		t.Fatalf("a job claimed %d times without progress was claimed again: %+v", maxIdleClaims, c)
	}
	got, err := store.get(ctx, p.TenantID, im.ID)
	if err != nil || got.State != StateFailed || !strings.Contains(got.FailureReason, "without progress") {
		t.Errorf("the job is %+v (%v), want it failed", got, err)
	}
}

// planOf returns EXPLAIN's plan of q with args as the application role in
// a transaction of tenant.
func planOf(t *testing.T, app *sqlx.DB, tenant, q string, args ...any) string {
	t.Helper()
	var plan []string
	err := pgstore.New(app, "").InTx(context.Background(), tenant, func(tx *pgstore.Tx) error {
		return tx.SQL().Select(&plan, "EXPLAIN "+q, args...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// TestLookupsReadByKey guards the chunk's lookups — contacts by email or
// phone, accounts by id, domain or name — on a tenant of 20,000 contacts
// and 2,000 accounts under row-level security: each value is read through
// an index, never by scanning the tenant's rows (under FORCE ROW LEVEL
// SECURITY only leakproof conditions are index conditions).
func TestLookupsReadByKey(t *testing.T) {
	admin, app := testdb.Migrated(t)
	tenant := uuid.NewString()
	testdb.SeedContacts(t, admin, tenant, uuid.NewString(), 20000)
	if _, err := admin.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []auth.Principal{{TenantID: tenant, UserID: "owner1"},
		{TenantID: tenant, UserID: "x", RecordScope: map[string]auth.Scope{"contacts": auth.ScopeAll}}} {
		q, args := findMatchesSQL(p, []string{"email", "phone"}, []string{"user5@example5.com", "+14150000005"})
		plans := []string{planOf(t, app, tenant, q, args...),
			planOf(t, app, tenant, findAccountsSQL, []string{uuid.NewString()}, []string{"acme.com"}, []string{"Company 7"})}
		for _, plan := range plans {
			if strings.Contains(plan, "Seq Scan on contact") || strings.Contains(plan, "Seq Scan on accounts") {
				t.Errorf("a lookup scans a table:\n%s", plan)
			}
		}
	}
}

// TestTablesAreBehindRLS checks that every table of the schema with a
// tenant_id, the imports' among them, is under row-level security.
func TestTablesAreBehindRLS(t *testing.T) {
	admin, _ := testdb.Migrated(t)
	tables, err := pg.TablesWithoutRLS(context.Background(), admin.DB)
	if err != nil || len(tables) > 0 {
		t.Errorf("tables without row-level security: %v (%v)", tables, err)
	}
}
