package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// serviceDB is what a service receives about its database.
type serviceDB struct {
	AppURL     string // DATABASE_URL: the service's login role, which neither owns tables nor bypasses RLS
	MigrateURL string // DATABASE_MIGRATE_URL: the admin DSN on the service's database
}

// appRole is the login role a service connects as.
func appRole(service string) string { return service + "_app" }

// provisionDatabase makes sure database name and its login role <name>_app
// exist on the server behind admin (an open pool on the admin DSN), sets the
// role's password, and lets only that role (and superusers) connect. It is
// idempotent. A missing database is made by pg.CreateDatabase; an existing
// one is kept as it is, and the service refuses it at start if it cannot
// classify non-ASCII text (one made by a launcher before pg.CreateDatabase,
// on a cluster initialised with LC_CTYPE C).
func provisionDatabase(ctx context.Context, admin *sql.DB, adminURL *url.URL, name, password string) (serviceDB, error) {
	role := appRole(name)
	var exists bool
	if err := admin.QueryRowContext(ctx, `select exists(select 1 from pg_database where datname = $1)`, name).Scan(&exists); err != nil {
		return serviceDB{}, fmt.Errorf("database %s: look up: %w", name, err)
	}
	if !exists {
		if err := pg.CreateDatabase(ctx, admin, name, ""); err != nil {
			return serviceDB{}, err
		}
	}
	if err := admin.QueryRowContext(ctx, `select exists(select 1 from pg_roles where rolname = $1)`, role).Scan(&exists); err != nil {
		return serviceDB{}, fmt.Errorf("role %s: look up: %w", role, err)
	}
	verb := "create"
	if exists {
		verb = "alter" // also resets attributes and the password to what we stored
	}
	attrs := ` with login nosuperuser nobypassrls nocreatedb nocreaterole password ` + pq.QuoteLiteral(password)
	if _, err := admin.ExecContext(ctx, verb+` role `+pq.QuoteIdentifier(role)+attrs); err != nil {
		return serviceDB{}, fmt.Errorf("role %s: %s: %w", role, verb, err)
	}
	for _, stmt := range []string{
		`revoke connect on database ` + pq.QuoteIdentifier(name) + ` from public`,
		`grant connect on database ` + pq.QuoteIdentifier(name) + ` to ` + pq.QuoteIdentifier(role),
	} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			return serviceDB{}, fmt.Errorf("database %s: %s: %w", name, stmt, err)
		}
	}

	app := withDatabase(adminURL, name)
	app.User = url.UserPassword(role, password)
	return serviceDB{AppURL: app.String(), MigrateURL: withDatabase(adminURL, name).String()}, nil
}

// withDatabase returns a copy of u naming database db.
func withDatabase(u *url.URL, db string) *url.URL {
	c := *u
	c.Path = "/" + db
	c.RawPath = ""
	return &c
}
