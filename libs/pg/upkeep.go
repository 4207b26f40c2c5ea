package pg

import (
	"context"
	"embed"
	"fmt"

	"github.com/jmoiron/sqlx"
)

//go:embed upkeep/*.sql
var upkeepFiles embed.FS

// UpkeepMigrations are the statistics upkeep every service's database gets:
// analyze_new_tables, which AnalyzeNewTables calls.
func UpkeepMigrations() Source { return EmbeddedSource("upkeep", upkeepFiles, "upkeep") }

// NewTableChanges is how many rows a never-analyzed table must have had
// written before AnalyzeNewTables analyzes it.
const NewTableChanges = 100

// AnalyzeNewTables gives statistics to the tables of a new database that
// have had NewTableChanges rows written but were never analyzed, and returns
// their names (upkeep/0001_analyze_new_tables.sql says why). Call it every
// few seconds: it is a catalog read once every table has statistics. db may
// be the runtime role's: the function runs as its owner.
func AnalyzeNewTables(ctx context.Context, db *sqlx.DB) ([]string, error) {
	var tables []string
	if err := db.SelectContext(ctx, &tables, "SELECT analyze_new_tables($1)", NewTableChanges); err != nil {
		return nil, fmt.Errorf("analyze new tables: %w", MapError(err))
	}
	return tables, nil
}
