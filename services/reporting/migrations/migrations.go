// Package migrations holds the reporting service's schema: goose
// migrations, embedded, for pg.Migrate.
package migrations

import (
	"embed"

	"github.com/rapport-crm/rapport/libs/pg"
)

//go:embed *.sql
var files embed.FS

// Source is the service's schema, for pg.Migrate.
func Source() pg.Source { return pg.EmbeddedSource("reporting", files, ".") }
