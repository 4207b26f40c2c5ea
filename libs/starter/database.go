package starter

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// MigrateWait bounds how long `<prog> migrate` waits for its databases to
// answer before it gives up; the migrations themselves take as long as they
// take.
const MigrateWait = 2 * time.Minute

// Migrate is the work of `<prog> migrate`: it applies the schema's sources
// as the owner of cfg.MigrateURL under the migration lock and grants DML on
// them to the role of cfg.DatabaseURL (unless both are one role). Errors name
// the variable whose database or role failed.
func (s *Schema) Migrate(ctx context.Context, cfg MigrateConfig, logger *slog.Logger) error {
	wait, cancel := context.WithTimeout(ctx, MigrateWait)
	defer cancel()
	db, err := pg.Connect(wait, cfg.DatabaseURL, logger, pg.Options{MaxOpenConns: 2})
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	defer db.Close()
	owner, err := pg.Connect(wait, cfg.MigrateURL, logger, pg.Options{MaxOpenConns: 2})
	if err != nil {
		return fmt.Errorf("DATABASE_MIGRATE_URL: %w", err)
	}
	defer owner.Close()
	if err := migrate(ctx, db, owner, logger, s.sources); err != nil {
		return err
	}
	logger.InfoContext(ctx, s.prog+" database migrated", "sources", len(s.sources))
	return nil
}

// migrateWith connects to migrateURL and runs migrate as its role.
func migrateWith(ctx context.Context, db *sqlx.DB, migrateURL string, logger *slog.Logger, sources []pg.Source) error {
	owner, err := pg.Connect(ctx, migrateURL, logger, pg.Options{MaxOpenConns: 2})
	if err != nil {
		return fmt.Errorf("DATABASE_MIGRATE_URL: %w", err)
	}
	defer owner.Close()
	if err := pg.WaitReady(ctx, db, logger, pg.Options{}); err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	return migrate(ctx, db, owner, logger, sources)
}

// migrate applies sources as owner's role and grants DML on them to db's
// role; both databases answer.
func migrate(ctx context.Context, db, owner *sqlx.DB, logger *slog.Logger, sources []pg.Source) error {
	var app, own string
	if err := db.GetContext(ctx, &app, `SELECT current_user`); err != nil {
		return fmt.Errorf("DATABASE_URL: runtime role: %w", err)
	}
	if err := owner.GetContext(ctx, &own, `SELECT current_user`); err != nil {
		return fmt.Errorf("DATABASE_MIGRATE_URL: owner role: %w", err)
	}
	if app == own {
		app = "" // one role for both: nothing to grant (CheckRole still applies)
	}
	if err := pg.Migrate(ctx, owner.DB, logger, app, sources...); err != nil {
		return fmt.Errorf("DATABASE_MIGRATE_URL: %w", err)
	}
	return nil
}
