package events

import (
	"embed"
	"io/fs"

	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// InboxMigrations is the schema of the inbox table, for pg.Migrate in every
// service that consumes events.
func InboxMigrations() pg.Source {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return pg.Source{Name: "inbox", FS: sub}
}
