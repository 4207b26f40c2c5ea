package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
)

// Sizes and goal of part 10 (issue 15): the board of one pipeline of a
// tenant with 100,000 opportunities (beside four smaller tenants), p99 ≤
// 50 ms; the forecast's is in salesforecast.go.
const (
	salesOpportunities = 100_000
	salesSmallTenants  = 4
	salesSmallSize     = 5_000
	salesOwners        = 50 // user-0 … user-49, user-k in team-(k mod 10)
	salesTeams         = 10
	salesRequests      = 1_000
	salesWarmup        = 100
	goalBoardP99       = 50 * time.Millisecond
)

// salesCase is one request of part 10 measured.
type salesCase struct {
	Name  string
	Count int // the opportunities the board counts (0 for the floor)
	Cards int // the opportunities it lists
	Goal  bool
	// Forecast says the request is a forecast: its goal is
	// goalForecastP99, Count the opportunities it sums and Cards its groups.
	Forecast bool
	Latency  latency
}

// salesRun holds the results of part 10.
type salesRun struct {
	Load    time.Duration // the opportunities, their stage history and board_totals of every tenant, as the database owner
	Stages  int
	Cases   []salesCase // the board's, then the forecast's
	Period  string      // the quarter forecast
	Explain string
	Assign  assignRun  // the leads assigned through the 20 rules
	Create  leadCreate // the leads created at concurrency 16
}

// salesPrincipal is a user of the sales module with scope in tenant, in
// its owner's team.
func salesPrincipal(tenant string, owner int, scope auth.Scope) auth.Principal {
	return auth.Principal{TenantID: tenant, UserID: fmt.Sprintf("user-%d", owner), Roles: []string{"sales"},
		Permissions: []string{"sales:read", "sales:write", "sales:admin"}, Teams: []string{fmt.Sprintf("team-%d", owner%salesTeams)},
		RecordScope: map[string]auth.Scope{registry.Sales: scope}}
}

// measureSales starts the sales binary, loads 100,000 opportunities into
// the default pipeline of one tenant and 5,000 into each of four others,
// and times the board of the big one for users of each scope, then its
// forecast of the next quarter (measureForecast); then, on the same
// service, the lead assignment (measureLeadAssignment) and lead creation
// (measureLeadCreate) of tenants of their own.
func measureSales(ctx context.Context, root string) (r salesRun, err error) {
	stack, err := startServiceStack(ctx, root, registry.Sales)
	if err != nil {
		return r, err
	}
	defer stack.Close()
	admin, err := pg.Open(stack.db.AdminURL, pg.Options{})
	if err != nil {
		return r, err
	}
	defer admin.Close()
	client := &http.Client{Timeout: 30 * time.Second}

	tenant := newTenant()
	var pipeline string
	for i := range 1 + salesSmallTenants {
		t, n := tenant, salesOpportunities
		if i > 0 {
			t, n = newTenant(), salesSmallSize
		}
		token := stack.tokens(salesPrincipal(t, 0, auth.ScopeAll))
		id, err := defaultPipeline(ctx, client, token, stack.base)
		if err != nil {
			return r, err
		}
		if i == 0 {
			pipeline = id
		}
		began := time.Now()
		if err := loadOpportunities(ctx, admin, t, id, n); err != nil {
			return r, err
		}
		r.Load += time.Since(began)
	}
	if err := admin.GetContext(ctx, &r.Stages, `SELECT count(*) FROM pipeline_stages WHERE pipeline_id = $1`, pipeline); err != nil {
		return r, err
	}
	fmt.Fprintf(os.Stderr, "bench: sales: %d opportunities loaded in %s\n", salesOpportunities+salesSmallTenants*salesSmallSize, r.Load.Round(time.Millisecond))
	if _, err := admin.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return r, err
	}
	if _, err := admin.ExecContext(ctx, `CHECKPOINT`); err != nil {
		return r, err
	}

	board := stack.base + "/v1/pipelines/" + pipeline + "/board"
	cases := []struct {
		name  string
		scope auth.Scope
		url   string
		goal  bool
	}{
		{"(a) scope all: GET /v1/pipelines/{id}/board (20 per stage)", auth.ScopeAll, board, true},
		{"(b) scope team (user-0, team-0)", auth.ScopeTeam, board, true},
		{"(c) scope own (user-0)", auth.ScopeOwn, board, true},
		{"(d) scope all, order=closeDate", auth.ScopeAll, board + "?order=closeDate", false},
		{"(e) scope all, limit=100", auth.ScopeAll, board + "?limit=100", false},
		{"floor: GET /v1/pipelines/{id}", auth.ScopeAll, stack.base + "/v1/pipelines/" + pipeline, false},
	}
	for _, c := range cases {
		var count, cards int
		l, err := timeRequests(ctx, client, stack.tokens(salesPrincipal(tenant, 0, c.scope)), c.url, func(body []byte) (err error) {
			count, cards, err = boardSize(body)
			return err
		})
		if err != nil {
			return r, fmt.Errorf("%s: %w", c.name, err)
		}
		r.Cases = append(r.Cases, salesCase{Name: c.name, Count: count, Cards: cards, Goal: c.goal, Latency: l})
	}
	if r.Cases[0].Count != salesOpportunities {
		return r, fmt.Errorf("the board counts %d opportunities, want %d: board_totals is not what was loaded", r.Cases[0].Count, salesOpportunities)
	}
	r.Period = forecastPeriod(time.Now())
	forecast, err := measureForecast(ctx, client, stack, tenant, r.Period)
	if err != nil {
		return r, err
	}
	r.Cases = append(r.Cases, forecast...)
	if r.Explain, err = salesExplain(ctx, stack.db.AppURL, tenant, pipeline); err != nil {
		return r, err
	}
	fmt.Fprintf(os.Stderr, "bench: sales: lead assignment\n")
	if r.Assign, err = measureLeadAssignment(ctx, stack, admin); err != nil {
		return r, fmt.Errorf("lead assignment: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: sales: lead create\n")
	if r.Create, err = measureLeadCreate(ctx, stack, admin); err != nil {
		return r, fmt.Errorf("lead create: %w", err)
	}
	return r, nil
}

// defaultPipeline lists the pipelines of the token's tenant, which creates
// its default one, and returns the default's id.
func defaultPipeline(ctx context.Context, c *http.Client, token func() (string, error), base string) (string, error) {
	body, err := benchRequest(ctx, c, token, http.MethodGet, base+"/v1/pipelines", "")
	if err != nil {
		return "", err
	}
	var list struct {
		Items []struct {
			ID        string `json:"id"`
			IsDefault bool   `json:"isDefault"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return "", err
	}
	for _, p := range list.Items {
		if p.IsDefault {
			return p.ID, nil
		}
	}
	return "", fmt.Errorf("GET /v1/pipelines: no default pipeline in %s", body)
}

// boardSize returns the opportunities a board counts and lists (0, 0 for
// another answer).
func boardSize(body []byte) (count, cards int, err error) {
	var b struct {
		Columns []struct {
			Count         int               `json:"count"`
			Opportunities []json.RawMessage `json:"opportunities"`
		} `json:"columns"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return 0, 0, err
	}
	for _, c := range b.Columns {
		count, cards = count+c.Count, cards+len(c.Opportunities)
	}
	return count, cards, nil
}

// loadOpportunities writes, as the database owner, n opportunities of
// tenant into the pipeline, the g-th in its (g mod stages)-th stage with
// the stage's status, probability and forecast category and every field a
// stage requires, owned by user-(g mod 50) of team-(g mod 50 mod 10), one
// every 10 minutes back from now with a UUIDv7 id of that time; amounts in
// EUR, every fifth in USD, none for a quarter of the first two stages';
// close dates over the next 180 days; each one's entry into its stage; and
// board_totals as the service keeps it.
func loadOpportunities(ctx context.Context, admin *sqlx.DB, tenant, pipeline string, n int) error {
	return pg.WithTx(ctx, admin, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `WITH st AS (
				SELECT id, kind, probability, row_number() OVER (ORDER BY position) - 1 AS i, count(*) OVER () AS k
				FROM pipeline_stages WHERE tenant_id = $1 AND pipeline_id = $2)
			INSERT INTO opportunities (tenant_id, id, name, account_id, primary_contact_id, amount_minor, currency, close_date,
				pipeline_id, stage_id, status, probability, forecast_category, owner_id, team_id, next_step, lost_reason, closed_at, created_at, updated_at, version)
			SELECT $1::uuid, (lpad(to_hex((extract(epoch FROM o.at) * 1000)::bigint), 12, '0') || '7' || substr(o.h, 1, 3) || '8' || substr(o.h, 4, 15))::uuid,
				'Opportunity ' || g, md5('account' || (g % 5000))::uuid, md5('contact' || (g % 20000))::uuid,
				CASE WHEN NOT o.none THEN 1000 * (1 + g % 997) END, CASE WHEN o.none THEN NULL WHEN g % 5 = 0 THEN 'USD' ELSE 'EUR' END,
				current_date + g % 180, $2::uuid, st.id, st.kind, st.probability,
				CASE st.kind WHEN 'open' THEN 'pipeline' WHEN 'won' THEN 'closed' ELSE 'omitted' END, 'user-' || g % $4::int, 'team-' || g % $4::int % $5::int,
				'Call back', CASE WHEN st.kind = 'lost' THEN 'Price' ELSE '' END, CASE WHEN st.kind <> 'open' THEN o.at END, o.at, o.at, 1
			FROM generate_series(1, $3::int) g
			JOIN st ON st.i = g % st.k
			CROSS JOIN LATERAL (SELECT now() - ($3::int - g) * interval '10 minutes' AS at, md5($1::text || g) AS h,
				st.i < 2 AND g % 4 = 0 AS none) o`,
			tenant, pipeline, n, salesOwners, salesTeams); err != nil {
			return fmt.Errorf("load opportunities: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO opportunity_stage_history (tenant_id, id, opportunity_id, stage_id, stage_name, entered_at, entered_by)
			SELECT o.tenant_id, gen_random_uuid(), o.id, o.stage_id, s.name, o.created_at, o.owner_id
			FROM opportunities o JOIN pipeline_stages s ON s.tenant_id = o.tenant_id AND s.id = o.stage_id WHERE o.tenant_id = $1`, tenant); err != nil {
			return fmt.Errorf("load stage history: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO board_totals (tenant_id, pipeline_id, stage_id, owner_id, team_id, currency, n, total)
			SELECT tenant_id, pipeline_id, stage_id, owner_id, team_id, coalesce(currency, ''), count(*), coalesce(sum(amount_minor), 0)
			FROM opportunities WHERE tenant_id = $1 AND deleted_at IS NULL
			GROUP BY tenant_id, pipeline_id, stage_id, owner_id, team_id, coalesce(currency, '')`, tenant); err != nil {
			return fmt.Errorf("load board totals: %w", err)
		}
		return nil
	})
}

// runSalesOnly measures part 10 alone and prints its section; results.md
// is left as it is.
func runSalesOnly(ctx context.Context) error {
	root, err := proc.RepoRoot()
	if err != nil {
		return err
	}
	r, err := measureSales(ctx, root)
	if err != nil {
		return err
	}
	writeSalesSection(os.Stdout, r)
	return nil
}
