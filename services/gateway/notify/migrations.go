package notify

import (
	"embed"

	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations returns the notifications' schema as a pg.Source with its own
// version table (goose_notify), to pass to pg.Migrate beside the gateway's.
func Migrations() pg.Source {
	return pg.EmbeddedSource("notify", migrationsFS, "migrations")
}
