package starter

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// PrepareDatabase makes db (the runtime role's pool) ready to serve: when
// migrateURL (the owner's DSN) is set, it applies sources as the owner under
// the migration lock and grants DML to the runtime role (unless both are one
// role); then it waits for db, refuses a runtime role that bypasses
// row-level security and a database that cannot classify CJK text.
func PrepareDatabase(ctx context.Context, db *sqlx.DB, migrateURL string, logger *slog.Logger, sources ...pg.Source) error {
	if migrateURL != "" {
		if err := migrate(ctx, db, migrateURL, logger, sources); err != nil {
			return err
		}
	}
	if err := pg.WaitReady(ctx, db, logger, pg.Options{}); err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err := pg.CheckRole(ctx, db.DB); err != nil {
		return err
	}
	return pg.CheckTextClassification(ctx, db.DB)
}

// migrate applies sources as the owner of migrateURL and grants DML on them
// to db's role.
func migrate(ctx context.Context, db *sqlx.DB, migrateURL string, logger *slog.Logger, sources []pg.Source) error {
	owner, err := pg.Connect(ctx, migrateURL, logger, pg.Options{MaxOpenConns: 2})
	if err != nil {
		return fmt.Errorf("DATABASE_MIGRATE_URL: %w", err)
	}
	defer owner.Close()
	var app, own string
	if err := pg.WaitReady(ctx, db, logger, pg.Options{}); err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err := db.GetContext(ctx, &app, `SELECT current_user`); err != nil {
		return fmt.Errorf("DATABASE_URL: runtime role: %w", err)
	}
	if err := owner.GetContext(ctx, &own, `SELECT current_user`); err != nil {
		return fmt.Errorf("DATABASE_MIGRATE_URL: owner role: %w", err)
	}
	if app == own {
		app = "" // one role for both: nothing to grant (CheckRole still applies)
	}
	return pg.Migrate(ctx, owner.DB, logger, app, sources...)
}
