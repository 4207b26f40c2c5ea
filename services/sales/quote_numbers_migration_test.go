package sales_test

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"testing"
	"testing/fstest"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/numbering"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/migrations"
)

// TestQuoteNumbersMoveToNumbering migrates a database that numbered quotes
// in quote_numbers (migrations up to 0019) to the end: each tenant's
// numbers of each year are in libs/numbering's sequence "quote" scoped by
// the year, the next quote takes the number after them, and quote_numbers
// is gone.
func TestQuoteNumbersMoveToNumbering(t *testing.T) {
	ctx := context.Background()
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	full := migrations.Source()
	old := fstest.MapFS{}
	files, err := fs.Glob(full.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f < "0020" {
			data, err := fs.ReadFile(full.FS, f)
			if err != nil {
				t.Fatal(err)
			}
			old[f] = &fstest.MapFile{Data: data}
		}
	}
	if err := pg.Migrate(ctx, admin.DB, logger, db.AppRole, numbering.Migrations(), pg.Source{Name: full.Name, FS: old}); err != nil {
		t.Fatalf("migrate to 0019: %v", err)
	}
	a, b := uuid.NewString(), uuid.NewString()
	admin.MustExec(`INSERT INTO quote_numbers (tenant_id, year, last) VALUES ($1, 2025, 41), ($1, 2026, 7), ($2, 2026, 3)`, a, b)

	if err := pg.Migrate(ctx, admin.DB, logger, db.AppRole, numbering.Migrations(), full); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	var gone bool
	if err := admin.Get(&gone, `SELECT to_regclass('quote_numbers') IS NULL`); err != nil || !gone {
		t.Errorf("quote_numbers is still there (%v)", err)
	}
	app := testkit.Open(t, db.AppURL)
	for _, c := range []struct {
		tenant, year string
		want         int64
	}{{a, "2025", 42}, {a, "2026", 8}, {b, "2026", 4}, {b, "2025", 1}} {
		var n int64
		err := pg.WithTenantTx(ctx, app, c.tenant, func(tx *sqlx.Tx) (err error) {
			n, err = numbering.Next(ctx, tx, "quote", c.year)
			return err
		})
		if err != nil || n != c.want {
			t.Errorf("the next quote number of %s in %s is %d, want %d (%v)", c.tenant, c.year, n, c.want, err)
		}
	}
}
