package starter

import (
	"context"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// repeat runs job every job.Every until ctx ends, logging its failures.
func repeat(ctx context.Context, job Job, logger *slog.Logger) {
	tick := time.NewTicker(job.Every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := job.Run(ctx); err != nil && ctx.Err() == nil {
				logger.WarnContext(ctx, "background job failed; it runs again at its next turn", "job", job.Name, "error", err.Error())
			}
		}
	}
}

// analyzeNewTablesEvery is how often every service gives its new tables
// statistics (pg.AnalyzeNewTables).
const analyzeNewTablesEvery = 5 * time.Second

// analyzeNewTables is the statistics upkeep every service runs, so a new
// database's plans are made with statistics within seconds of its first
// writes rather than after autovacuum's first ANALYZE.
func analyzeNewTables(db *sqlx.DB, logger *slog.Logger) Job {
	return Job{Name: "analyze new tables", Every: analyzeNewTablesEvery, Run: func(ctx context.Context) error {
		tables, err := pg.AnalyzeNewTables(ctx, db)
		if len(tables) > 0 {
			logger.InfoContext(ctx, "analyzed new tables", "tables", tables)
		}
		return err
	}}
}
