package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// The board's reads as services/sales/deals/opportunity_list.go renders
// them for a user of scope team ($2 the user, $3 the teams): the counts and
// totals from board_totals, and the newest 20 of each stage (without the
// scope's condition for scope all).
const (
	salesTotalsQuery = `SELECT stage_id, currency, sum(n) AS n, sum(total)::text AS total FROM board_totals
	WHERE pipeline_id = $1 AND (owner_id = $2 OR team_id = ANY($3)) GROUP BY stage_id, currency HAVING sum(n) > 0 ORDER BY stage_id, currency`
	salesCardsQuery = `SELECT id, name, account_id, primary_contact_id, contact_roles, amount_minor, currency, close_date::text AS close_date,
	pipeline_id, stage_id, status, probability, owner_id, team_id, next_step, lost_reason, competitors, closed_at,
	created_at, updated_at, version, deleted_at
	FROM opportunities WHERE id IN (SELECT top.id FROM pipeline_stages s
		CROSS JOIN LATERAL (SELECT t.id FROM opportunities t WHERE t.pipeline_id = s.pipeline_id AND t.stage_id = s.id AND t.deleted_at IS NULL
			AND t.pipeline_id = $1%s ORDER BY t.id DESC LIMIT 20) top
		WHERE s.pipeline_id = $1) ORDER BY id DESC`
)

// salesExplain runs EXPLAIN ANALYZE, as the application role under RLS, of
// the board's reads for user-0 of team-0: the totals and the cards of scope
// team, and the cards of scope all.
func salesExplain(ctx context.Context, appURL, tenant, pipeline string) (string, error) {
	app, err := pg.Open(appURL, pg.Options{})
	if err != nil {
		return "", err
	}
	defer app.Close()
	team := []any{pipeline, "user-0", pq.StringArray{"team-0"}}
	var out []string
	for _, q := range []struct {
		name, sql string
		args      []any
	}{
		{"totals, scope team", salesTotalsQuery, team},
		{"cards, scope team", fmt.Sprintf(salesCardsQuery, " AND (t.owner_id = $2 OR t.team_id = ANY($3))"), team},
		{"cards, scope all", fmt.Sprintf(salesCardsQuery, ""), team[:1]},
	} {
		var lines []string
		if err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
			return tx.SelectContext(ctx, &lines, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+q.sql, q.args...)
		}); err != nil {
			return "", fmt.Errorf("explain the %s: %w", q.name, err)
		}
		out = append(out, "-- "+q.name+"\n"+strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n\n"), nil
}

// writeSalesSection renders part 10.
func writeSalesSection(w io.Writer, r salesRun) {
	fmt.Fprintf(w, "## 10. Sales: pipeline board, forecast and leads\n\n")
	fmt.Fprintf(w, "The real `services/sales` binary on a scratch database and an in-process Kafka, with internal tokens signed as the gateway signs them. One tenant's default pipeline (%d stages, created by the tenant's first `GET /v1/pipelines`) gets %d opportunities and the default pipelines of %d other tenants %d each, loaded straight in SQL as the database owner (not through the API) in %s: spread evenly over the stages with each stage's status, probability and forecast category and the fields it requires, owned by %d users in %d teams, amounts in EUR (every fifth in USD, none for a quarter of the first two stages'), UUIDv7 ids one every 10 minutes back from now, each one's entry into its stage in the stage history, and `board_totals` filled from the rows as the service keeps it (the scope-all board's count, %d, is checked against the load). Then `VACUUM ANALYZE` and a `CHECKPOINT`; requests sequential, %d each after %d warm-up. The user is user-0 of team-0, with scope all, team (team-0's %d owners: %d opportunities) or own (%d).\n\n",
		r.Stages, salesOpportunities, salesSmallTenants, salesSmallSize, r.Load.Round(time.Millisecond), salesOwners, salesTeams,
		salesOpportunities, salesRequests, salesWarmup, salesOwners/salesTeams, salesOpportunities/salesTeams, salesOpportunities/salesOwners)
	fmt.Fprintf(w, "| request | counted | listed | p50 | p99 | max | goal |\n|---|---:|---:|---:|---:|---:|---|\n")
	for _, c := range r.Cases {
		goal, limit := "", goalBoardP99
		if c.Forecast {
			limit = goalForecastP99
		}
		if c.Goal {
			goal = fmt.Sprintf("p99 ≤ %s %s", ms(limit), verdict(c.Latency.P99 <= limit))
		}
		fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s |\n", c.Name, c.Count, c.Cards, ms(c.Latency.P50), ms(c.Latency.P99), ms(c.Latency.Max), goal)
	}
	fmt.Fprintf(w, "\nThe forecast's requests (f) to (j) are of %s, the quarter after today's, whose close dates the load covers whole, in EUR after the tenant's first `PUT /v1/forecasts/rates` (USD at a rate); counted is the opportunities it sums (its counts of every category over its groups), listed its groups. Issue 15's goals for leads follow the board's EXPLAIN, on the same service. A board reads the pipeline and its stages, sums `board_totals` (a row per stage, owner, team and currency) for the counts and totals, and takes the newest ids of each stage by an index-only scan of `opportunities_board` before reading their rows. EXPLAIN ANALYZE as the application role (RLS forced):\n\n```\n%s\n```\n\n", r.Period, r.Explain)
	writeLeadsSection(w, r.Assign, r.Create)
}
