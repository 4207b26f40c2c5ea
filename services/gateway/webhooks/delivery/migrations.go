package delivery

import (
	"embed"

	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations returns what the Dispatcher needs beyond package webhooks'
// tables (the function listing the tenants with due deliveries) as a
// pg.Source with its own version table (goose_webhooks_delivery): pass it
// to pg.Migrate after webhooks.Migrations().
func Migrations() pg.Source {
	return pg.EmbeddedSource("webhooks_delivery", migrationsFS, "migrations")
}
