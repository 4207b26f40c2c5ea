package numbering_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// migrated returns the owner's and the application role's pools of a
// fresh database with the sequences' table.
func migrated(t *testing.T) (admin, app *sqlx.DB) {
	t.Helper()
	db := testkit.Postgres(t)
	admin = testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(context.Background(), admin.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), db.AppRole, numbering.Migrations()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return admin, testkit.Open(t, db.AppURL)
}

// take takes the next number of name in scope for tenant in a
// transaction of its own.
func take(app *sqlx.DB, tenant, name, scope string) (n int64, err error) {
	err = pg.WithTenantTx(context.Background(), app, tenant, func(tx *sqlx.Tx) (err error) {
		n, err = numbering.Next(context.Background(), tx, name, scope)
		return err
	})
	return n, err
}

// next is take failing t on an error.
func next(t *testing.T, app *sqlx.DB, tenant, name, scope string) int64 {
	t.Helper()
	n, err := take(app, tenant, name, scope)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// taker takes the next case number of tenant in the background; its
// channel has the number, or -1 on an error.
func taker(app *sqlx.DB, tenant string) <-chan int64 {
	got := make(chan int64, 1)
	go func() {
		n, err := take(app, tenant, "case", "")
		if err != nil {
			n = -1
		}
		got <- n
	}()
	return got
}

// TestSequencesAreApart: each tenant, name and scope counts from 1 on its
// own.
func TestSequencesAreApart(t *testing.T) {
	_, app := migrated(t)
	a, b := uuid.NewString(), uuid.NewString()
	for i := int64(1); i <= 3; i++ {
		if n := next(t, app, a, "case", ""); n != i {
			t.Fatalf("case number %d, want %d", n, i)
		}
	}
	for _, c := range []struct{ tenant, name, scope string }{{b, "case", ""}, {a, "quote", "2026"}, {a, "quote", "2027"}} {
		if n := next(t, app, c.tenant, c.name, c.scope); n != 1 {
			t.Errorf("the first %s number of %s in %q is %d, want 1", c.name, c.tenant, c.scope, n)
		}
	}
	if n := next(t, app, a, "quote", "2026"); n != 2 {
		t.Errorf("the second quote number of 2026 is %d, want 2", n)
	}
}

// TestConcurrentTakersGetConsecutiveNumbers: a second transaction waits
// on the first's row and takes the number after it; many at once take
// 1…n without a gap or a repeat.
func TestConcurrentTakersGetConsecutiveNumbers(t *testing.T) {
	admin, app := migrated(t)
	ctx := context.Background()
	tenant := uuid.NewString()

	first, err := app.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback() //nolint:errcheck // committed below
	if _, err := first.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
		t.Fatal(err)
	}
	if n, err := numbering.Next(ctx, first, "case", ""); err != nil || n != 1 {
		t.Fatalf("first: %d, %v", n, err)
	}
	second := taker(app, tenant)
	testkit.Eventually(t, 10*time.Second, "the second taker waits on the first's row", func() (bool, string) {
		var waiting int
		err := admin.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO number_sequences%'`)
		return err == nil && waiting == 1, strconv.Itoa(waiting)
	})
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := <-second; n != 2 {
		t.Fatalf("the second taker got %d, want 2", n)
	}

	const takers = 20
	var got []<-chan int64
	for range takers {
		got = append(got, taker(app, tenant))
	}
	var all []int64
	for _, c := range got {
		all = append(all, <-c)
	}
	slices.Sort(all)
	for i, n := range all {
		if n != int64(i+3) {
			t.Fatalf("concurrent takers got %v, want 3 to %d", all, takers+2)
		}
	}
}

// TestRollbackGivesTheNumberBack: a transaction that rolls back after
// taking a number leaves no gap, also when another waited on it meanwhile.
func TestRollbackGivesTheNumberBack(t *testing.T) {
	admin, app := migrated(t)
	ctx := context.Background()
	tenant := uuid.NewString()
	next(t, app, tenant, "case", "")

	errRollback := errors.New("roll back")
	err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		if n, err := numbering.Next(ctx, tx, "case", ""); err != nil || n != 2 {
			t.Errorf("in the rolled-back transaction: %d, %v", n, err)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if n := next(t, app, tenant, "case", ""); n != 2 {
		t.Fatalf("after a rollback the next is %d, want 2", n)
	}

	// The first takes 3 and rolls back while the second waits: the second
	// takes 3.
	first, err := app.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.ExecContext(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
		t.Fatal(err)
	}
	if n, err := numbering.Next(ctx, first, "case", ""); err != nil || n != 3 {
		t.Fatalf("first: %d, %v", n, err)
	}
	second := taker(app, tenant)
	testkit.Eventually(t, 10*time.Second, "the second taker waits on the first's row", func() (bool, string) {
		var waiting int
		err := admin.Get(&waiting, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO number_sequences%'`)
		return err == nil && waiting == 1, strconv.Itoa(waiting)
	})
	if err := first.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := <-second; n != 3 {
		t.Fatalf("after the first rolled back the second took %d, want 3", n)
	}
}

// TestSequencesAreUnderRowLevelSecurity: the table is under row-level
// security; a tenant sees only its own sequences, and a transaction
// without a tenant takes no number.
func TestSequencesAreUnderRowLevelSecurity(t *testing.T) {
	admin, app := migrated(t)
	ctx := context.Background()
	if tables, err := pg.TablesWithoutRLS(ctx, admin.DB); err != nil || len(tables) > 0 {
		t.Errorf("tables without row-level security: %v (%v)", tables, err)
	}
	a, b := uuid.NewString(), uuid.NewString()
	next(t, app, a, "case", "")
	next(t, app, a, "quote", "2026")
	var seen int
	err := pg.WithTenantTx(ctx, app, b, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &seen, `SELECT count(*) FROM number_sequences`)
	})
	if err != nil || seen != 0 {
		t.Errorf("another tenant sees %d sequences (%v)", seen, err)
	}
	err = pg.WithTenantTx(ctx, app, a, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &seen, `SELECT count(*) FROM number_sequences`)
	})
	if err != nil || seen != 2 {
		t.Errorf("the tenant sees %d sequences, want 2 (%v)", seen, err)
	}
	tx, err := app.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	if n, err := numbering.Next(ctx, tx, "case", ""); err == nil {
		t.Errorf("a transaction without a tenant took number %d", n)
	}
}
