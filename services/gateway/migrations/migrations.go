// Package migrations holds the gateway's goose SQL migrations, embedded.
package migrations

import "embed"

// FS holds every NNNN_name.sql migration of the gateway database.
//
//go:embed *.sql
var FS embed.FS
