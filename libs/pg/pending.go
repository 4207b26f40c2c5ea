package pg

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/pressly/goose/v3"
)

// PendingSource is a source with migrations the database has not applied.
type PendingSource struct {
	Source   string  // the source's name (its version table is goose_<name>)
	Versions []int64 // the versions not applied, in order
}

// String says which source and how many of its migrations are pending:
// "contacts: 3 migrations from 0010".
func (p PendingSource) String() string {
	n := "1 migration"
	if len(p.Versions) != 1 {
		n = strconv.Itoa(len(p.Versions)) + " migrations"
	}
	return fmt.Sprintf("%s: %s from %04d", p.Source, n, p.Versions[0])
}

// Pending lists the sources whose migrations db has not all applied; empty
// means the schema is up to date. It only reads the version tables
// (goose_<source>), so a program that does not migrate can run it as its
// runtime role: Migrate's grant covers those tables. A version table that
// does not exist yet means every migration of its source is pending.
func Pending(ctx context.Context, db *sql.DB, sources ...Source) ([]PendingSource, error) {
	var out []PendingSource
	for _, s := range sources {
		p, err := goose.NewProvider(goose.DialectPostgres, db, s.FS,
			goose.WithTableName("goose_"+s.Name), goose.WithDisableGlobalRegistry(true))
		if err != nil {
			return nil, fmt.Errorf("pg: migrations of %s: %w", s.Name, err)
		}
		var exists bool
		if err := db.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, "goose_"+s.Name).Scan(&exists); err != nil {
			return nil, fmt.Errorf("pg: find table goose_%s: %w", s.Name, err)
		}
		pending := PendingSource{Source: s.Name}
		if !exists {
			for _, m := range p.ListSources() {
				pending.Versions = append(pending.Versions, m.Version)
			}
		} else {
			status, err := p.Status(ctx)
			if err != nil {
				return nil, fmt.Errorf("pg: read table goose_%s: %w", s.Name, err)
			}
			for _, m := range status {
				if m.State == goose.StatePending {
					pending.Versions = append(pending.Versions, m.Source.Version)
				}
			}
		}
		if len(pending.Versions) > 0 {
			out = append(out, pending)
		}
	}
	return out, nil
}
