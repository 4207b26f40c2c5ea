package events

import (
	"embed"

	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// InboxMigrations is the schema of the inbox table, for pg.Migrate in every
// service that consumes events.
func InboxMigrations() pg.Source { return pg.EmbeddedSource("inbox", migrationFiles, "migrations") }
