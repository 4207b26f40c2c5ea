package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	_ "github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

func TestFor(t *testing.T) {
	tests := []struct {
		tenant, service string
		want            postgres.Database
	}{
		{"acme", "contacts", postgres.Database{Name: "t_acme_contacts", Owner: "t_acme_contacts_owner", App: "t_acme_contacts_app"}},
		{"big-co-2", "sales", postgres.Database{Name: "t_big_co_2_sales", Owner: "t_big_co_2_sales_owner", App: "t_big_co_2_sales_app"}},
	}
	for _, tt := range tests {
		t.Run(tt.tenant, func(t *testing.T) {
			if got := postgres.For(tt.tenant, tt.service); got != tt.want {
				t.Errorf("For(%q, %q) = %+v, want %+v", tt.tenant, tt.service, got, tt.want)
			}
		})
	}
	if got := postgres.For(strings.Repeat("a", 30), "marketing").Owner; len(got) > 63 {
		t.Errorf("longest owner role %q has %d bytes, want ≤ 63", got, len(got))
	}
}

func TestEnsureAndDrop(t *testing.T) {
	admin := testkit.Postgres(t).AdminURL
	pool := postgres.NewPool()
	t.Cleanup(func() { pool.Close() })
	srv, err := pool.Server(admin)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, b := postgres.For("pa-"+randomHex(3), "contacts"), postgres.For("pb-"+randomHex(3), "contacts")
	ca := postgres.Credentials{OwnerPassword: randomHex(16), AppPassword: randomHex(16)}
	cb := postgres.Credentials{OwnerPassword: randomHex(16), AppPassword: randomHex(16)}
	t.Cleanup(func() {
		for _, d := range []postgres.Database{a, b} {
			if err := srv.Drop(context.Background(), d); err != nil {
				t.Errorf("Drop(%s): %v", d.Name, err)
			}
		}
	})
	for _, x := range []struct {
		d postgres.Database
		c postgres.Credentials
	}{{a, ca}, {b, cb}} {
		created, err := srv.Ensure(ctx, x.d, x.c, false)
		if err != nil || !created {
			t.Fatalf("Ensure(%s) = %v, %v; want created", x.d.Name, created, err)
		}
	}

	t.Run("passwords are set", func(t *testing.T) {
		if !testenv.PasswordIs(t, admin, a.App, ca.AppPassword) || !testenv.PasswordIs(t, admin, a.Owner, ca.OwnerPassword) {
			t.Errorf("the roles of %s do not have the passwords Ensure was given", a.Name)
		}
	})

	t.Run("again creates nothing", func(t *testing.T) {
		if created, err := srv.Ensure(ctx, a, ca, false); err != nil || created {
			t.Errorf("Ensure again = %v, %v; want nothing created", created, err)
		}
	})

	t.Run("roles are plain logins", func(t *testing.T) {
		db := testkit.Open(t, admin)
		for _, role := range []string{a.Owner, a.App} {
			var super, bypass, createdb, createrole bool
			err := db.QueryRow(`SELECT rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = $1`, role).
				Scan(&super, &bypass, &createdb, &createrole)
			if err != nil || super || bypass || createdb || createrole {
				t.Errorf("role %s: super %v bypassrls %v createdb %v createrole %v (%v); want none", role, super, bypass, createdb, createrole, err)
			}
		}
		var owner string
		if err := db.QueryRow(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1`, a.Name).Scan(&owner); err != nil || owner != a.Owner {
			t.Errorf("owner of %s = %q (%v), want %s", a.Name, owner, err, a.Owner)
		}
	})

	t.Run("the database classifies CJK text whatever the server's default", func(t *testing.T) {
		db := testkit.Open(t, srv.URL(a.Name, a.Owner, ca.OwnerPassword))
		var collate, ctype string
		if err := db.QueryRow(`SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()`).Scan(&collate, &ctype); err != nil {
			t.Fatal(err)
		}
		if collate != pg.Collation || ctype != pg.CType {
			t.Errorf("LC_COLLATE %q, LC_CTYPE %q; want %q, %q (pg.CreateDatabase)", collate, ctype, pg.Collation, pg.CType)
		}
		if err := pg.CheckTextClassification(ctx, db.DB); err != nil {
			t.Error(err)
		}
	})

	t.Run("the owner role creates tables in schema public", func(t *testing.T) {
		// PostgreSQL 15 gives schema public to pg_database_owner, whose
		// privileges a NOINHERIT owner role does not use, and no longer lets
		// PUBLIC create in it: a tenant's migrations run as the owner role.
		db := testkit.Open(t, srv.URL(a.Name, a.Owner, ca.OwnerPassword))
		if _, err := db.Exec(`CREATE TABLE public.owner_probe (id int PRIMARY KEY)`); err != nil {
			t.Fatalf("owner %s: create table in public: %v", a.Owner, err)
		}
		var app bool
		if err := db.QueryRow(`SELECT has_schema_privilege($1, 'public', 'CREATE')`, a.App).Scan(&app); err != nil || app {
			t.Errorf("app role %s may create in public = %v (%v), want false", a.App, app, err)
		}
	})

	t.Run("a database provisioned before gets schema public too", func(t *testing.T) {
		db := testkit.Open(t, srv.AdminURL(a.Name))
		if _, err := db.Exec(`ALTER SCHEMA public OWNER TO pg_database_owner`); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Ensure(ctx, a, ca, false); err != nil {
			t.Fatal(err)
		}
		var owner string
		if err := db.QueryRow(`SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'public'`).Scan(&owner); err != nil || owner != a.Owner {
			t.Errorf("owner of schema public = %q (%v), want %s", owner, err, a.Owner)
		}
	})

	connect := []struct {
		name   string
		url    string
		wantOK bool
	}{
		{"app into its own database", srv.URL(a.Name, a.App, ca.AppPassword), true},
		{"owner into its own database", srv.URL(a.Name, a.Owner, ca.OwnerPassword), true},
		{"app into another tenant's database", srv.URL(b.Name, a.App, ca.AppPassword), false},
		{"owner into another tenant's database", srv.URL(b.Name, a.Owner, ca.OwnerPassword), false},
		{"other tenant's app into the first database", srv.URL(a.Name, b.App, cb.AppPassword), false},
	}
	for _, tt := range connect {
		t.Run(tt.name, func(t *testing.T) {
			err := ping(tt.url)
			if gotOK := err == nil; gotOK != tt.wantOK {
				t.Fatalf("connect: %v; want success %v", err, tt.wantOK)
			}
			if !tt.wantOK && !strings.Contains(err.Error(), "permission denied for database") {
				t.Errorf("connect error = %v, want permission denied for database", err)
			}
		})
	}

	t.Run("reset passwords", func(t *testing.T) {
		fresh := postgres.Credentials{OwnerPassword: randomHex(16), AppPassword: randomHex(16)}
		if _, err := srv.Ensure(ctx, a, fresh, true); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			role, password string
			want           bool
		}{{a.App, fresh.AppPassword, true}, {a.Owner, fresh.OwnerPassword, true}, {a.App, ca.AppPassword, false}} {
			if got := testenv.PasswordIs(t, admin, c.role, c.password); got != c.want {
				t.Errorf("PasswordIs(%s, …) = %v, want %v", c.role, got, c.want)
			}
		}
	})

	t.Run("drop removes database and roles", func(t *testing.T) {
		if err := srv.Drop(ctx, b); err != nil {
			t.Fatal(err)
		}
		db := testkit.Open(t, admin)
		var n int
		if err := db.QueryRow(`SELECT (SELECT count(*) FROM pg_database WHERE datname = $1) + (SELECT count(*) FROM pg_roles WHERE rolname IN ($2, $3))`,
			b.Name, b.Owner, b.App).Scan(&n); err != nil || n != 0 {
			t.Errorf("after Drop: %d objects left (%v), want 0", n, err)
		}
		if err := srv.Drop(ctx, b); err != nil {
			t.Errorf("Drop of what is gone: %v", err)
		}
	})
}

func TestFailures(t *testing.T) {
	pool := postgres.NewPool()
	t.Cleanup(func() { pool.Close() })
	if _, err := pool.Server("mysql://x"); !errors.Is(err, postgres.ErrBadDSN) {
		t.Errorf("Server(mysql://x) = %v, want %v", err, postgres.ErrBadDSN)
	}
	srv, err := pool.Server("postgres://postgres@" + testkit.FreeAddr(t) + "/postgres?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.Ensure(context.Background(), postgres.For("down", "contacts"), postgres.Credentials{OwnerPassword: "x", AppPassword: "y"}, false)
	if !errors.Is(err, postgres.ErrUnreachable) {
		t.Errorf("Ensure on a closed port = %v, want %v", err, postgres.ErrUnreachable)
	}
}

func ping(url string) error {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Ping()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
