package webhooks

import (
	"embed"

	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations returns the webhooks' schema as a pg.Source with its own
// version table (goose_webhooks), to pass to pg.Migrate beside the
// gateway's, before delivery.Migrations().
func Migrations() pg.Source {
	return pg.EmbeddedSource("webhooks", migrationsFS, "migrations")
}
