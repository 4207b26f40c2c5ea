package pg_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestPending checks what the runtime role reads of the migrations: all of
// them pending on an empty database, the rest after a partial migration,
// none after all, a refusal naming the table while the owner has not
// granted it yet, and the previous release at ease on the newer schema
// after a rollback.
func TestPending(t *testing.T) {
	ctx := context.Background()
	db := testkit.Postgres(t)
	admin, app := testkit.Open(t, db.AdminURL), testkit.Open(t, db.AppURL)
	all := migrations(t)
	first := pg.Source{Name: all.Name, FS: fstest.MapFS{"0001_notes.sql": all.FS.(fstest.MapFS)["0001_notes.sql"]}}

	pending := func(want []pg.PendingSource) {
		t.Helper()
		got, err := pg.Pending(ctx, app.DB, all)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("Pending = %v, %v; want %v", got, err, want)
		}
	}
	pending([]pg.PendingSource{{Source: "test", Versions: []int64{1, 2}}})

	if err := pg.Migrate(ctx, admin.DB, quiet, "", first); err != nil {
		t.Fatal(err)
	}
	_, err := pg.Pending(ctx, app.DB, all)
	if err == nil || !strings.Contains(err.Error(), "goose_test") || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("Pending before the grant: %v, want a permission denied naming goose_test", err)
	}

	if err := pg.Migrate(ctx, admin.DB, quiet, db.AppRole, first); err != nil {
		t.Fatal(err)
	}
	pending([]pg.PendingSource{{Source: "test", Versions: []int64{2}}})
	if s := (pg.PendingSource{Source: "test", Versions: []int64{2}}).String(); s != "test: 1 migration from 0002" {
		t.Errorf("String = %q", s)
	}

	if err := pg.Migrate(ctx, admin.DB, quiet, db.AppRole, all); err != nil {
		t.Fatal(err)
	}
	pending(nil)

	// A rollback (helm rollback): the previous release embeds only the
	// first migration. On the newer schema nothing is pending for it, so
	// it serves, and its migrate leaves the newer migration in place.
	if got, err := pg.Pending(ctx, app.DB, first); err != nil || got != nil {
		t.Errorf("the previous release's Pending on the newer schema = %v, %v; want nothing", got, err)
	}
	if err := pg.Migrate(ctx, admin.DB, quiet, db.AppRole, first); err != nil {
		t.Errorf("the previous release's migrate on the newer schema: %v", err)
	}
	pending(nil)
}
