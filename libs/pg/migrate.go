package pg

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
)

// migrateLockKey is the advisory lock every migrator of a database takes, so
// two service replicas starting together apply each migration once.
const migrateLockKey = 0x72617070_6f7274 // "rapport"

// Source is one set of embedded goose SQL migrations. Each source keeps its
// own version table (goose_<name>), so library schemas (the outbox, the inbox)
// and a service's schema evolve independently in one database.
type Source struct {
	Name string
	FS   fs.FS
}

// EmbeddedSource is the Source of the migrations in directory dir of fsys
// (usually an embed.FS holding dir/*.sql). dir must exist in fsys.
func EmbeddedSource(name string, fsys fs.FS, dir string) Source {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("pg: migrations %s: %v", name, err)) // a bad constant path, found by the first test
	}
	return Source{Name: name, FS: sub}
}

// Migrate applies every source in order while holding a session advisory lock.
// A second migrator waits for the lock and then finds nothing to do. When
// grantTo is not empty, DML on every table and sequence of the public schema
// is granted to that role afterwards (the service's runtime role).
func Migrate(ctx context.Context, db *sql.DB, logger *slog.Logger, grantTo string, sources ...Source) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("pg: migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("pg: migrate: take lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey) //nolint:errcheck // released with the session anyway

	for _, s := range sources {
		p, err := goose.NewProvider(goose.DialectPostgres, db, s.FS,
			goose.WithTableName("goose_"+s.Name), goose.WithDisableGlobalRegistry(true))
		if err != nil {
			return fmt.Errorf("pg: migrate %s: %w", s.Name, err)
		}
		results, err := p.Up(ctx)
		if err != nil {
			return fmt.Errorf("pg: migrate %s: %w", s.Name, err)
		}
		for _, r := range results {
			logger.InfoContext(ctx, "migration applied", "source", s.Name, "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration.String())
		}
	}
	if grantTo == "" {
		return nil
	}
	role := pq.QuoteIdentifier(grantTo)
	stmts := []string{
		"GRANT USAGE ON SCHEMA public TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + role,
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("pg: migrate: %s: %w", strings.SplitN(q, " ON ", 2)[0], err)
		}
	}
	return nil
}

// CheckRole refuses a connection whose role would bypass row-level security
// (a superuser, a BYPASSRLS role), naming the role, so a misconfigured
// DATABASE_URL cannot silently turn tenant isolation off.
func CheckRole(ctx context.Context, db *sql.DB) error {
	var name string
	var super, bypass bool
	err := db.QueryRowContext(ctx,
		`SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&name, &super, &bypass)
	if err != nil {
		return fmt.Errorf("pg: check role: %w", err)
	}
	if super || bypass {
		return fmt.Errorf("pg: role %q bypasses row-level security (superuser or BYPASSRLS); connect as a role without either", name)
	}
	return nil
}

// TablesWithoutRLS lists the tables of the public schema that have a
// tenant_id column but lack enabled and forced row-level security. Services
// assert it is empty in their migration tests.
func TablesWithoutRLS(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT c.relname
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		  AND NOT (c.relrowsecurity AND c.relforcerowsecurity
		           AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
		ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("pg: list tables without rls: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
