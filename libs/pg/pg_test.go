package pg_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func migrations(t *testing.T) pg.Source {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range []string{"0001_notes.sql", "0002_leaky.sql"} {
		b, err := os.ReadFile("testdata/migrations/" + name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	return pg.Source{Name: "test", FS: fsys}
}

// setup migrates a fresh database as the owner and returns the app role's pool.
func setup(t *testing.T) (admin, app *sqlx.DB) {
	t.Helper()
	db := testkit.Postgres(t)
	admin = testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(context.Background(), admin.DB, quiet, db.AppRole, migrations(t)); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return admin, testkit.Open(t, db.AppURL)
}

func TestRowLevelSecurityIsolatesTenants(t *testing.T) {
	_, app := setup(t)
	ctx := context.Background()
	tenantA, tenantB := uuid.NewString(), uuid.NewString()
	noteA := uuid.NewString()

	err := pg.WithTenantTx(ctx, app, tenantA, func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO notes (tenant_id, id, body) VALUES ($1, $2, 'secret of A')`, tenantA, noteA)
		return err
	})
	if err != nil {
		t.Fatalf("insert as A: %v", err)
	}

	tests := []struct {
		name string
		sql  string
		args []any
	}{
		{"select by id", `SELECT count(*) FROM notes WHERE id = $1`, []any{noteA}},
		{"select everything", `SELECT count(*) FROM notes`, nil},
		{"select naming A's tenant", `SELECT count(*) FROM notes WHERE tenant_id = $1`, []any{tenantA}},
	}
	for _, tt := range tests {
		t.Run("B cannot "+tt.name, func(t *testing.T) {
			var got int
			err := pg.WithTenantTx(ctx, app, tenantB, func(tx *sqlx.Tx) error {
				return tx.Get(&got, tt.sql, tt.args...)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != 0 {
				t.Errorf("rows visible to tenant B: got %d, want 0", got)
			}
		})
	}

	t.Run("B cannot update or delete A's row", func(t *testing.T) {
		err := pg.WithTenantTx(ctx, app, tenantB, func(tx *sqlx.Tx) error {
			for _, q := range []string{
				`UPDATE notes SET body = 'stolen' WHERE id = $1`,
				`DELETE FROM notes WHERE id = $1`,
			} {
				res, err := tx.Exec(q, noteA)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 0 {
					t.Errorf("%s: affected %d rows, want 0", q, n)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("B cannot write a row for A", func(t *testing.T) {
		err := pg.WithTenantTx(ctx, app, tenantB, func(tx *sqlx.Tx) error {
			_, err := tx.Exec(`INSERT INTO notes (tenant_id, id, body) VALUES ($1, $2, 'planted')`, tenantA, uuid.NewString())
			return pg.MapError(err)
		})
		if errs.KindOf(err) != errs.NotFound {
			t.Errorf("insert into A as B: got %v, want a row-level-security refusal", err)
		}
	})

	t.Run("no tenant set sees nothing", func(t *testing.T) {
		var got int
		if err := app.Get(&got, `SELECT count(*) FROM notes`); err != nil {
			t.Fatal(err)
		}
		if got != 0 {
			t.Errorf("rows visible without a tenant: got %d, want 0", got)
		}
	})

	t.Run("tenant setting does not outlive its transaction", func(t *testing.T) {
		app.SetMaxOpenConns(1) // the next statement reuses the same connection
		var setting sql.NullString
		if err := app.Get(&setting, `SELECT current_setting('app.tenant_id', true)`); err != nil {
			t.Fatal(err)
		}
		if setting.String != "" {
			t.Errorf("app.tenant_id after the transaction: got %q, want empty", setting.String)
		}
	})

	t.Run("A still sees its row unchanged", func(t *testing.T) {
		var body string
		err := pg.WithTenantTx(ctx, app, tenantA, func(tx *sqlx.Tx) error {
			return tx.Get(&body, `SELECT body FROM notes WHERE id = $1`, noteA)
		})
		if err != nil || body != "secret of A" {
			t.Errorf("A's row: got %q, %v; want %q", body, err, "secret of A")
		}
	})
}

func TestWithTenantTxRejectsBadTenant(t *testing.T) {
	_, app := setup(t)
	err := pg.WithTenantTx(context.Background(), app, "not-a-uuid", func(*sqlx.Tx) error { return nil })
	if !errors.Is(err, pg.ErrNoTenant) {
		t.Errorf("got %v, want ErrNoTenant", err)
	}
}

func TestCheckRole(t *testing.T) {
	admin, app := setup(t)
	if err := pg.CheckRole(context.Background(), app.DB); err != nil {
		t.Errorf("app role: got %v, want nil", err)
	}
	if err := pg.CheckRole(context.Background(), admin.DB); err == nil || !strings.Contains(err.Error(), "bypasses row-level security") {
		t.Errorf("superuser: got %v, want a refusal", err)
	}
}

func TestTablesWithoutRLS(t *testing.T) {
	admin, _ := setup(t)
	got, err := pg.TablesWithoutRLS(context.Background(), admin.DB)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "leaky" {
		t.Errorf("got %v, want [leaky]", got)
	}
}

func TestConcurrentMigratorsApplyOnce(t *testing.T) {
	db := testkit.Postgres(t)
	src := migrations(t)
	var wg sync.WaitGroup
	logs := make([]*bytes.Buffer, 2)
	errsOut := make([]error, 2)
	for i := range 2 {
		logs[i] = &bytes.Buffer{}
		conn := testkit.Open(t, db.AdminURL)
		wg.Add(1)
		go func() {
			defer wg.Done()
			logger := slog.New(slog.NewTextHandler(logs[i], nil))
			errsOut[i] = pg.Migrate(context.Background(), conn.DB, logger, db.AppRole, src)
		}()
	}
	wg.Wait()
	for i, err := range errsOut {
		if err != nil {
			t.Fatalf("migrator %d: %v", i, err)
		}
	}
	applied := strings.Count(logs[0].String(), "migration applied") + strings.Count(logs[1].String(), "migration applied")
	if applied != 2 {
		t.Errorf("migrations applied across both migrators: got %d, want 2 (each file once)\n%s\n%s", applied, logs[0], logs[1])
	}
	if a, b := strings.Contains(logs[0].String(), "applied"), strings.Contains(logs[1].String(), "applied"); a == b {
		t.Errorf("want exactly one migrator to apply, the other to find nothing (got %v, %v)", a, b)
	}
}

func TestWaitReadyRetriesUntilDatabaseIsUp(t *testing.T) {
	db := testkit.Postgres(t)
	// A port nothing listens on yet; a forwarder to the real server opens on it later.
	addr := testkit.FreeAddr(t)
	target := hostOf(t, db.AppURL)
	dsn := strings.Replace(db.AppURL, target, addr, 1)

	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	conn, err := pg.Open(dsn, pg.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	done := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		done <- pg.WaitReady(ctx, conn, logger, pg.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	}()

	// Wait until it has logged at least two failed attempts, then bring the database "up".
	testkit.Eventually(t, 10*time.Second, "two retry log lines", func() (bool, string) {
		out := logs.String()
		return strings.Count(out, "database unavailable, retrying") >= 2, "logs:\n" + out
	})
	forward(t, addr, target)
	if err := <-done; err != nil {
		t.Fatalf("WaitReady: %v", err)
	}
	if !strings.Contains(logs.String(), "database is up") {
		t.Errorf("want a 'database is up' line; logs:\n%s", logs.String())
	}
}

func TestMapError(t *testing.T) {
	_, app := setup(t)
	tenant := uuid.NewString()
	id := uuid.NewString()
	err := pg.WithTenantTx(context.Background(), app, tenant, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`INSERT INTO notes (tenant_id, id, body) VALUES ($1, $2, 'x')`, tenant, id); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO notes (tenant_id, id, body) VALUES ($1, $2, 'x')`, tenant, id)
		return pg.MapError(err)
	})
	if !errors.Is(err, pg.ErrConflict) || !strings.Contains(err.Error(), "notes_pkey") {
		t.Errorf("duplicate key: got %v, want ErrConflict naming notes_pkey", err)
	}
	if got := pg.MapError(sql.ErrNoRows); !errors.Is(got, pg.ErrNotFound) {
		t.Errorf("no rows: got %v, want ErrNotFound", got)
	}
}

func TestOnCommitRunsOnlyAfterACommit(t *testing.T) {
	_, app := setup(t)
	ctx := context.Background()
	var ran []string
	stmts := pg.NewStatements(app, 1)
	if err := pg.WithTx(ctx, app, func(tx *sqlx.Tx) error {
		if !pg.OnCommit(tx, func() { ran = append(ran, "committed") }) {
			t.Error("OnCommit on a WithTx transaction: got false, want true")
		}
		if !pg.OnCommit(stmts.In(tx), func() { ran = append(ran, "committed, prepared") }) {
			t.Error("OnCommit on a WithTx transaction running prepared statements: got false, want true")
		}
		if len(ran) != 0 {
			t.Error("hook ran before the commit")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rollback := errors.New("roll back")
	if err := pg.WithTx(ctx, app, func(tx *sqlx.Tx) error {
		pg.OnCommit(tx, func() { ran = append(ran, "rolled back") })
		return rollback
	}); !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if len(ran) != 2 || ran[0] != "committed" || ran[1] != "committed, prepared" {
		t.Errorf("hooks that ran: got %v, want [committed committed, prepared]", ran)
	}
	tx, err := app.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if pg.OnCommit(tx, func() {}) {
		t.Error("OnCommit on a transaction WithTx does not run: got true, want false")
	}
}
