package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// testAdminURL is the real PostgreSQL the tests use; TEST_DATABASE_URL overrides it.
func testAdminURL() string {
	if dsn := os.Getenv("TEST_DATABASE_URL"); dsn != "" {
		return dsn
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func TestProvisionDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	adminURL, err := url.Parse(testAdminURL())
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", adminURL.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the drops below: cleanups run last-in first-out
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("PostgreSQL at %s: %v", adminURL.Redacted(), err)
	}

	suffix := make([]byte, 4)
	rand.Read(suffix)
	name := "rl_test_" + hex.EncodeToString(suffix)
	t.Cleanup(func() {
		for _, stmt := range []string{
			`drop database if exists ` + pq.QuoteIdentifier(name) + ` with (force)`,
			`drop role if exists ` + pq.QuoteIdentifier(appRole(name)),
		} {
			if _, err := admin.Exec(stmt); err != nil {
				t.Errorf("clean up: %s: %v", stmt, err)
			}
		}
	})

	first, err := provisionDatabase(ctx, admin, adminURL, name, "first-password")
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	// Again, with a new password, as after the password file was removed.
	got, err := provisionDatabase(ctx, admin, adminURL, name, "second-password")
	if err != nil {
		t.Fatalf("provision again: %v", err)
	}
	if first.MigrateURL != got.MigrateURL {
		t.Errorf("MigrateURL changed: %s → %s", first.MigrateURL, got.MigrateURL)
	}
	if u, _ := url.Parse(got.MigrateURL); u.Path != "/"+name || u.User.Username() != adminURL.User.Username() {
		t.Errorf("MigrateURL: got %s, want the admin DSN on database %s", got.MigrateURL, name)
	}

	app, err := sql.Open("postgres", got.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	var user, db string
	var super, bypass bool
	if err := app.QueryRowContext(ctx, `select current_user, current_database(), rolsuper, rolbypassrls from pg_roles where rolname = current_user`).
		Scan(&user, &db, &super, &bypass); err != nil {
		t.Fatalf("connect as app role: %v", err)
	}
	if user != appRole(name) || db != name || super || bypass {
		t.Errorf("got user=%s db=%s super=%v bypassrls=%v; want %s on %s, neither superuser nor bypassing RLS", user, db, super, bypass, appRole(name), name)
	}

	// PUBLIC lost CONNECT: the app role cannot reach another service's database.
	var canConnect bool
	if err := admin.QueryRowContext(ctx, `select has_database_privilege('public', $1, 'connect')`, name).Scan(&canConnect); err != nil {
		t.Fatal(err)
	}
	if canConnect {
		t.Errorf("PUBLIC may still connect to %s", name)
	}
}

// TestProvisionOnTheThrowawayCluster provisions a service database as `make
// run` does without DATABASE_URL: on the launcher's own cluster. Chinese
// names must have trigrams there (pg.CheckTextClassification), whatever
// locale the server defaults to.
func TestProvisionOnTheThrowawayCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	server := startThrowaway(ctx, t, 0)
	got, err := provisionDatabase(ctx, server.DB, server.AdminURL, "contacts", "a-password")
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	db, err := sql.Open("postgres", got.MigrateURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `create extension pg_trgm`); err != nil {
		t.Fatal(err)
	}
	if err := pg.CheckTextClassification(ctx, db); err != nil {
		t.Error(err)
	}
}

// startThrowaway starts the throwaway cluster in a fresh state directory,
// sized for processes, and stops it when the test ends.
func startThrowaway(ctx context.Context, t *testing.T, processes int) *postgres {
	t.Helper()
	state, err := os.MkdirTemp("", "rapport-local-state-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(state) })
	if err := os.Chmod(state, 0o755); err != nil { // the postgres OS user must reach it when we are root
		t.Fatal(err)
	}
	server, err := startPostgres(ctx, Config{StateDir: state, LocalPGPort: testkit.FreePort(t)}, processes, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := server.Stop(); err != nil {
			t.Error(err)
		}
	})
	return server
}
