package contacts

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/pg"
)

// NewTableChanges is how many rows a never-analyzed table must have had
// written before AnalyzeNewTables analyzes it.
const NewTableChanges = 100

// AnalyzeNewTables gives statistics to the tables of a new database that
// have had NewTableChanges rows written but were never analyzed, and returns
// their names (migration 0010 says why). Call it every few seconds: it is a
// catalog read once every table has statistics.
func (s *Store) AnalyzeNewTables(ctx context.Context) ([]string, error) {
	var tables []string
	if err := s.db.SelectContext(ctx, &tables, "SELECT analyze_new_tables($1)", NewTableChanges); err != nil {
		return nil, fmt.Errorf("analyze new tables: %w", pg.MapError(err))
	}
	return tables, nil
}
