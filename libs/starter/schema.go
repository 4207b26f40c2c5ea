package starter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// SchemaPoll is how often a program that does not migrate looks whether its
// database has been migrated.
const SchemaPoll = 2 * time.Second

// Schema is a program's database schema: the migration sources it embeds,
// and whether its database is ready to serve with them. Its Check is the
// program's "migrations" readiness check, which says why it is not ready.
type Schema struct {
	prog    string
	sources []pg.Source
	reason  atomic.Pointer[string] // why the schema is not ready; nil once it is
}

// NewSchema is the schema of program prog (the name `<prog> migrate` runs
// as), made of sources in the order they apply.
func NewSchema(prog string, sources ...pg.Source) *Schema {
	s := &Schema{prog: prog, sources: sources}
	s.notReady("database not prepared yet")
	return s
}

// Check fails, saying why, until Prepare has found the database ready.
func (s *Schema) Check(context.Context) error {
	if r := s.reason.Load(); r != nil {
		return errors.New(*r)
	}
	return nil
}

// notReady records why the schema is not ready; it reports whether the
// reason changed.
func (s *Schema) notReady(reason string) bool {
	old := s.reason.Swap(&reason)
	return old == nil || *old != reason
}

// Prepare makes db (the runtime role's pool) ready to serve. When migrateURL
// (the owner's DSN) is set, it applies the sources as the owner under the
// migration lock and grants DML to the runtime role (unless both are one
// role); when it is not, it waits, polling every SchemaPoll, until another
// (`<prog> migrate`, the chart's migration Job) has applied every migration,
// and Check says so meanwhile. Then it refuses a runtime role that bypasses
// row-level security and a database that cannot classify CJK text, and
// Check passes.
func (s *Schema) Prepare(ctx context.Context, db *sqlx.DB, migrateURL string, logger *slog.Logger) error {
	if migrateURL != "" {
		s.notReady("database being migrated")
		if err := migrateWith(ctx, db, migrateURL, logger, s.sources); err != nil {
			return err
		}
	}
	if err := pg.WaitReady(ctx, db, logger, pg.Options{}); err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err := pg.CheckRole(ctx, db.DB); err != nil {
		return err
	}
	if migrateURL == "" {
		if err := s.await(ctx, db, logger); err != nil {
			return err
		}
	}
	if err := pg.CheckTextClassification(ctx, db.DB); err != nil {
		return err
	}
	s.reason.Store(nil)
	return nil
}

// await returns once every migration of the sources is applied, or with
// ctx's error.
func (s *Schema) await(ctx context.Context, db *sqlx.DB, logger *slog.Logger) error {
	for {
		pending, err := pg.Pending(ctx, db.DB, s.sources...)
		if err == nil && len(pending) == 0 {
			return nil
		}
		reason := fmt.Sprintf("database schema not migrated: run `%s migrate`", s.prog)
		if err != nil {
			reason += fmt.Sprintf(" (its version tables are not readable: %v)", err)
		} else {
			parts := make([]string, len(pending))
			for i, p := range pending {
				parts[i] = p.String()
			}
			reason += " (pending: " + strings.Join(parts, "; ") + ")"
		}
		if s.notReady(reason) {
			logger.WarnContext(ctx, "not ready: "+reason, "retry_in", SchemaPoll.String())
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", reason, ctx.Err())
		case <-time.After(SchemaPoll):
		}
	}
}
