package backup_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/backup"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

// pgTools finds pg_dump and pg_restore of the machine's PostgreSQL.
func pgTools(t *testing.T) backup.Tools {
	t.Helper()
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	if len(dirs) == 0 {
		t.Fatal("no /usr/lib/postgresql/*/bin: install the PostgreSQL client programs")
	}
	return backup.Tools{BinDir: dirs[len(dirs)-1]}
}

// tenantDB makes a tenant's database with its two roles on the test server
// as the operator does, and drops them when the test ends.
func tenantDB(t *testing.T, srv *postgres.Server, tenant string) postgres.Database {
	t.Helper()
	d := postgres.For(tenant, "contacts")
	if _, err := srv.Ensure(context.Background(), d, postgres.Credentials{OwnerPassword: "owner-pw", AppPassword: "app-pw"}, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Drop(context.Background(), d); err != nil {
			t.Error(err)
		}
	})
	return d
}

func bucket(t *testing.T) *blob.Bucket {
	t.Helper()
	b, err := fileblob.OpenBucket(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func snapshot(t *testing.T, dsn string) map[string]string {
	t.Helper()
	s, err := testenv.Snapshot(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTenantBackupDumpAndRestore dumps a seeded contacts database into a
// file bucket, restores it into another tenant's fresh database and over
// the original after it changed, and compares every row of every table; the
// restored objects belong to the target's owner and its runtime role reads
// them under row-level security.
func TestTenantBackupDumpAndRestore(t *testing.T) {
	ctx := context.Background()
	pool := postgres.NewPool()
	t.Cleanup(func() { _ = pool.Close() })
	srv, err := pool.Server(testkit.Postgres(t).AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	tools, b := pgTools(t), bucket(t)
	const tenantID = "6f1c1e0a-6a43-4d7e-9a55-0c1d2e3f4a5b"
	src := tenantDB(t, srv, "bk-src-"+randomSuffix())
	if err := testenv.SeedContacts(ctx, srv.AdminURL(src.Name), src.Owner, src.App, tenantID, 500); err != nil {
		t.Fatal(err)
	}
	original := snapshot(t, srv.AdminURL(src.Name))
	if len(original) != 4 {
		t.Fatalf("seeded tables %d, want 4", len(original))
	}

	versions, err := migrations(ctx, srv.AdminURL(src.Name))
	if err != nil || versions["contacts"] != 19 {
		t.Fatalf("migration versions %v (%v), want contacts 19", versions, err)
	}
	dump := backup.Dump{Service: "contacts", Database: src.Name, Object: backup.ObjectName("src", "b1", "contacts")}
	if dump.Size, dump.SHA256, err = tools.Dump(ctx, b, dump.Object, srv.AdminURL(src.Name)); err != nil {
		t.Fatal(err)
	}
	attrs, err := b.Attributes(ctx, dump.Object)
	if err != nil || attrs.Size != dump.Size || dump.Size == 0 {
		t.Fatalf("stored dump %v (%v), want %d bytes", attrs, err, dump.Size)
	}

	t.Run("into a new tenant", func(t *testing.T) {
		dst := tenantDB(t, srv, "bk-dst-"+randomSuffix())
		if err := tools.Restore(ctx, b, dump, backup.Target{DSN: srv.AdminURL(dst.Name), Owner: dst.Owner, App: dst.App}); err != nil {
			t.Fatal(err)
		}
		if got := snapshot(t, srv.AdminURL(dst.Name)); !reflect.DeepEqual(got, original) {
			t.Errorf("restored rows differ from the original:\n%s", diff(original, got))
		}
		assertOwnedBy(t, srv.AdminURL(dst.Name), dst.Owner)
		assertAppReads(t, srv.URL(dst.Name, dst.App, "app-pw"), tenantID, 500)
	})

	t.Run("over the original", func(t *testing.T) {
		if err := testenv.AddContacts(ctx, srv.AdminURL(src.Name), tenantID, 500, 600); err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(snapshot(t, srv.AdminURL(src.Name)), original) {
			t.Fatal("the change made no difference")
		}
		if err := tools.Restore(ctx, b, dump, backup.Target{DSN: srv.AdminURL(src.Name), Owner: src.Owner, App: src.App}); err != nil {
			t.Fatal(err)
		}
		if got := snapshot(t, srv.AdminURL(src.Name)); !reflect.DeepEqual(got, original) {
			t.Errorf("restored rows differ from the original:\n%s", diff(original, got))
		}
		assertOwnedBy(t, srv.AdminURL(src.Name), src.Owner)
		assertAppReads(t, srv.URL(src.Name, src.App, "app-pw"), tenantID, 500)
	})

	t.Run("a damaged dump changes nothing", func(t *testing.T) {
		before := snapshot(t, srv.AdminURL(src.Name))
		bad := dump
		bad.SHA256 = "00" + dump.SHA256[2:]
		err := tools.Restore(ctx, b, bad, backup.Target{DSN: srv.AdminURL(src.Name), Owner: src.Owner, App: src.App})
		if !errors.Is(err, backup.ErrChecksum) {
			t.Fatalf("restore of a dump with the wrong checksum: %v, want ErrChecksum", err)
		}
		if got := snapshot(t, srv.AdminURL(src.Name)); !reflect.DeepEqual(got, before) {
			t.Errorf("a refused restore changed the database:\n%s", diff(before, got))
		}
	})
}

func migrations(ctx context.Context, dsn string) (map[string]int64, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return backup.MigrationVersions(ctx, db)
}

// assertOwnedBy fails unless every table, sequence and function of the
// public schema belongs to owner.
func assertOwnedBy(t *testing.T, dsn, owner string) {
	t.Helper()
	db := testkit.Open(t, dsn)
	var others []string
	err := db.Select(&others, `
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v') AND pg_get_userbyid(c.relowner) <> $1
UNION ALL
SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1`, owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(others) > 0 {
		t.Errorf("objects not owned by %s after the restore: %v", owner, others)
	}
}

// assertAppReads checks the runtime role sees exactly the tenant's n
// contacts under row-level security, and none without the tenant set.
func assertAppReads(t *testing.T, dsn, tenantID string, n int) {
	t.Helper()
	db := testkit.Open(t, dsn)
	var none int
	if err := db.Get(&none, `SELECT count(*) FROM contacts`); err != nil || none != 0 {
		t.Errorf("runtime role without a tenant sees %d contacts (%v), want 0", none, err)
	}
	tx := db.MustBegin()
	defer tx.Rollback() //nolint:errcheck // read only
	tx.MustExec(`SELECT set_config('app.tenant_id', $1, true)`, tenantID)
	var got int
	if err := tx.Get(&got, `SELECT count(*) FROM contacts`); err != nil || got != n {
		t.Errorf("runtime role sees %d contacts of the tenant (%v), want %d", got, err, n)
	}
}

// diff names the tables whose rows differ, with their lengths.
func diff(want, got map[string]string) string {
	var out string
	for table, w := range want {
		if g := got[table]; g != w {
			out += table + ": " + short(w) + " ≠ " + short(g) + "\n"
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			out += table + ": unexpected table\n"
		}
	}
	return out
}

func short(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
