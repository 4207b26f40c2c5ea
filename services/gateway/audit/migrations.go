package audit

import (
	"embed"

	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations returns the audit log's schema as a pg.Source with its own
// version table (goose_audit), to pass to pg.Migrate beside the gateway's.
func Migrations() pg.Source {
	return pg.EmbeddedSource("audit", migrationsFS, "migrations")
}
