package pg_test

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// scratch returns a pool on the test server as its admin, a prefix no other
// test's database names start with, and a function that opens database name
// on that server; databases named through it are dropped when the test ends.
func scratch(t *testing.T) (admin *sql.DB, prefix string, open func(name string) *sql.DB) {
	t.Helper()
	base := testkit.Postgres(t)
	admin = testkit.Open(t, base.AdminURL).DB
	return admin, base.Name, func(name string) *sql.DB {
		t.Cleanup(func() {
			if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`); err != nil {
				t.Errorf("drop %s: %v", name, err)
			}
		})
		u, err := url.Parse(base.AdminURL)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/" + name
		return testkit.Open(t, u.String()).DB
	}
}

func TestCreateDatabaseClassifiesCJKText(t *testing.T) {
	ctx := context.Background()
	admin, prefix, open := scratch(t)
	name := prefix + "_utf8"
	db := open(name)
	if err := pg.CreateDatabase(ctx, admin, name, ""); err != nil {
		t.Fatal(err)
	}
	var collate, ctype string
	if err := admin.QueryRow(`SELECT datcollate, datctype FROM pg_database WHERE datname = $1`, name).Scan(&collate, &ctype); err != nil {
		t.Fatal(err)
	}
	if collate != pg.Collation || ctype != pg.CType {
		t.Errorf("LC_COLLATE %q, LC_CTYPE %q; want %q, %q", collate, ctype, pg.Collation, pg.CType)
	}
	if err := pg.CheckTextClassification(ctx, db); err != nil {
		t.Errorf("without pg_trgm: %v", err)
	}
	if _, err := db.Exec(`CREATE EXTENSION pg_trgm`); err != nil {
		t.Fatal(err)
	}
	if err := pg.CheckTextClassification(ctx, db); err != nil {
		t.Errorf("with pg_trgm: %v", err)
	}
	if err := pg.CreateDatabase(ctx, admin, name, ""); err == nil || !strings.Contains(err.Error(), name) {
		t.Errorf("creating it again: %v, want an error naming it", err)
	}
}

func TestCheckTextClassificationRefusesCtypeC(t *testing.T) {
	ctx := context.Background()
	db := testkit.PostgresCTypeC(t)
	admin, app := testkit.Open(t, db.AdminURL).DB, testkit.Open(t, db.AppURL).DB
	want := `pg: database "` + db.Name + `" has LC_CTYPE "C", which does not classify non-ASCII text`
	check := func(what string) {
		t.Helper()
		err := pg.CheckTextClassification(ctx, app)
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "LC_CTYPE '"+pg.CType+"'") {
			t.Errorf("%s: got %v, want %q… naming LC_CTYPE '%s'", what, err, want, pg.CType)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: the error is more than one line: %q", what, err)
		}
	}
	check("without pg_trgm")
	if _, err := admin.Exec(`CREATE EXTENSION pg_trgm`); err != nil {
		t.Fatal(err)
	}
	check("with pg_trgm")
}

func TestCheckTextClassificationRefusesSQLASCII(t *testing.T) {
	admin, prefix, open := scratch(t)
	name := prefix + "_sql_ascii"
	db := open(name)
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
		t.Fatal(err)
	}
	want := `pg: database "` + name + `" has encoding SQL_ASCII, not UTF8`
	if err := pg.CheckTextClassification(context.Background(), db); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v, want %q…", err, want)
	}
}
