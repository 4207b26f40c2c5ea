package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Sizes and goal of part 10's lead assignment (issue 15): 10,000 leads
// assigned through a 20-rule list, ≥ 2,000 leads/s.
const (
	assignLeads      = 10_000
	assignRules      = 20 // 19 with a condition, the last a catch-all
	assignMembers    = 5  // members of each of the first 19 rules' teams
	assignCatchAll   = 10 // members of the catch-all's team
	assignPreloaded  = 120
	assignBaselineTx = 500 // UPDATEs per transaction of the raw baseline, as the service's batch
	assignQueue      = "lead-queue"
	goalAssignRate   = 2_000.0
)

// assignRule is one rule of the bench's list as created and then checked.
type assignRule struct {
	ID        string
	Condition string // the kind of condition, for the report
	Strategy  string
	Cap       int // 0: none
	Members   []string
	Preloaded int // open leads its first member owns before the run
	// Found after the run: the leads the rule assigned, the members at
	// its cap, the most open leads of a member, and the spread (max − min)
	// of the leads it gave the members not at the cap.
	Assigned, AtCap, MostOpen, Spread int
}

// assignRun holds the results of the lead assignment.
type assignRun struct {
	Rules    []assignRule
	Load     time.Duration // the leads inserted in SQL, untimed for the rate
	Took     time.Duration // POST /v1/leads/assign
	Leads    int           // the answer's leads and assigned
	Assigned int
	Rate     float64 // leads/s
	Baseline float64 // rows/s of the raw UPDATE baseline
	// Unassigned counts the leads left without a rule; OverCap the
	// members above their cap; Uneven the round-robin rules whose spread
	// exceeds 1.
	Unassigned, OverCap, Uneven int
}

// assignmentRules are the bench's 20 rules: rule k < 19 takes leads of
// source-k — all of them (k mod 3 = 0), the hot and warm ones (1) or those
// of a company not starting with "Acme" (2) — for a team of 5 in round
// robin, but every fourth (k mod 4 = 3) least loaded; k mod 4 = 1 caps
// each member at 50 open leads (all of them reach it), k mod 4 = 2 at 150
// with its first member owning 120 open leads before (only that one
// reaches it), least loaded at 80. The last takes every lead, for a team of
// 10 in round robin without a cap.
func assignmentRules() []assignRule {
	out := make([]assignRule, assignRules)
	for k := range out {
		r := &out[k]
		n := assignMembers
		if k == assignRules-1 {
			n = assignCatchAll
		}
		for j := range n {
			r.Members = append(r.Members, fmt.Sprintf("rule%d-u%d", k, j))
		}
		r.Strategy = "roundRobin"
		switch {
		case k == assignRules-1:
			r.Condition = "none (catch-all)"
			continue
		case k%3 == 0:
			r.Condition = "source eq"
		case k%3 == 1:
			r.Condition = "source eq and rating in (hot, warm)"
		default:
			r.Condition = "source eq and not company startsWith Acme"
		}
		switch k % 4 {
		case 1:
			r.Cap = 50
		case 2:
			r.Cap, r.Preloaded = 150, assignPreloaded
		case 3:
			r.Strategy, r.Cap = "leastLoaded", 80
		}
	}
	return out
}

// body is the rule k's JSON for POST /v1/lead-assignment-rules.
func (r assignRule) body(k int) (string, error) {
	source := fmt.Sprintf(`{"field": "source", "op": "eq", "value": "source-%d"}`, k)
	var cond string
	switch {
	case k == assignRules-1:
	case k%3 == 0:
		cond = source
	case k%3 == 1:
		cond = `{"and": [` + source + `, {"field": "rating", "op": "in", "value": ["hot", "warm"]}]}`
	default:
		cond = `{"and": [` + source + `, {"not": {"field": "company", "op": "startsWith", "value": "Acme"}}]}`
	}
	members := make([]map[string]string, len(r.Members))
	for i, m := range r.Members {
		members[i] = map[string]string{"userId": m}
	}
	target := map[string]any{"type": "team", "teamId": fmt.Sprintf("team-rule%d", k), "strategy": r.Strategy, "members": members}
	if r.Cap > 0 {
		target["maxOpenLeads"] = r.Cap
	}
	rule := map[string]any{"name": fmt.Sprintf("Bench %d", k), "target": target}
	if cond != "" {
		rule["condition"] = json.RawMessage(cond)
	}
	b, err := json.Marshal(rule)
	return string(b), err
}

// measureLeadAssignment makes a tenant with the 20 rules (through the
// API), loads assignLeads new leads owned by assignQueue and the preloaded
// open leads in SQL as the database owner, then times one POST
// /v1/leads/assign of every lead of the queue (a filter on ownerId; the
// service runs batches of 500, each its own transaction), checks the
// outcome in SQL (checkAssignment) and measures the raw baseline.
func measureLeadAssignment(ctx context.Context, stack *contactsStack, admin *sqlx.DB) (r assignRun, err error) {
	tenant := newTenant()
	token := stack.tokens(salesPrincipal(tenant, 0, auth.ScopeAll))
	client := &http.Client{Timeout: 10 * time.Minute}
	r.Rules = assignmentRules()
	for k := range r.Rules {
		rule, err := r.Rules[k].body(k)
		if err != nil {
			return r, err
		}
		body, err := benchRequest(ctx, client, token, http.MethodPost, stack.base+"/v1/lead-assignment-rules", rule)
		if err != nil {
			return r, err
		}
		var created struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(body, &created); err != nil {
			return r, err
		}
		r.Rules[k].ID = created.ID
	}
	began := time.Now()
	if err := loadLeads(ctx, admin, tenant, r.Rules); err != nil {
		return r, err
	}
	r.Load = time.Since(began)
	if _, err := admin.ExecContext(ctx, `VACUUM ANALYZE leads`); err != nil {
		return r, err
	}
	req := fmt.Sprintf(`{"filter": {"field": "ownerId", "op": "eq", "value": %q}}`, assignQueue)
	began = time.Now()
	body, err := benchRequest(ctx, client, token, http.MethodPost, stack.base+"/v1/leads/assign", req)
	if err != nil {
		return r, err
	}
	r.Took = time.Since(began)
	var done struct {
		Leads    int `json:"leads"`
		Assigned int `json:"assigned"`
	}
	if err := json.Unmarshal(body, &done); err != nil {
		return r, err
	}
	r.Leads, r.Assigned, r.Rate = done.Leads, done.Assigned, float64(done.Leads)/r.Took.Seconds()
	if r.Leads != assignLeads {
		return r, fmt.Errorf("POST /v1/leads/assign ran over %d leads, want %d", r.Leads, assignLeads)
	}
	if err := checkAssignment(ctx, admin, tenant, &r); err != nil {
		return r, err
	}
	app, err := pg.Open(stack.db.AppURL, pg.Options{})
	if err != nil {
		return r, err
	}
	defer app.Close()
	r.Baseline, err = assignBaseline(ctx, app, tenant)
	return r, err
}

// loadLeads writes, as the database owner, assignLeads new leads of
// tenant owned by assignQueue, the g-th of source-(g mod 20), rated hot,
// warm or cold by g mod 3, its company Acme's every seventh, one a second
// back from now with a UUIDv7 id of that time; and the open leads the
// rules' first members own before the run (status working, of no rule's
// source).
func loadLeads(ctx context.Context, admin *sqlx.DB, tenant string, rules []assignRule) error {
	var owners []string
	var counts []int64
	for _, r := range rules {
		if r.Preloaded > 0 {
			owners, counts = append(owners, r.Members[0]), append(counts, int64(r.Preloaded))
		}
	}
	return pg.WithTx(ctx, admin, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO leads (tenant_id, id, first_name, last_name, company, email, source, status, rating,
				owner_id, created_at, updated_at, version)
			SELECT $1::uuid, (lpad(to_hex((extract(epoch FROM o.at) * 1000)::bigint), 12, '0') || '7' || substr(o.h, 1, 3) || '8' || substr(o.h, 4, 15))::uuid,
				'Lead', 'Number ' || g, CASE WHEN g % 7 = 0 THEN 'Acme ' ELSE 'Company ' END || g, 'lead.' || g || '@example.com',
				'source-' || g % 20, 'new', (ARRAY['hot', 'warm', 'cold'])[1 + g % 3], $2, o.at, o.at, 1
			FROM generate_series(1, $3::int) g
			CROSS JOIN LATERAL (SELECT now() - ($3::int - g) * interval '1 second' AS at, md5($1::text || g) AS h) o`,
			tenant, assignQueue, assignLeads); err != nil {
			return fmt.Errorf("load leads: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO leads (tenant_id, id, last_name, source, status, owner_id, created_at, updated_at, version)
			SELECT $1::uuid, gen_random_uuid(), 'Preloaded ' || i, 'preload', 'working', p.owner, now(), now(), 1
			FROM unnest($2::text[], $3::int[]) AS p(owner, n) CROSS JOIN LATERAL generate_series(1, p.n) i`,
			tenant, pq.StringArray(owners), pq.Int64Array(counts)); err != nil {
			return fmt.Errorf("load preloaded leads: %w", err)
		}
		return nil
	})
}

// checkAssignment reads the outcome as the database owner: the leads
// still without a rule, and per rule the leads it assigned to each
// member, each member's open leads against the cap, and the spread among
// the members below it.
func checkAssignment(ctx context.Context, admin *sqlx.DB, tenant string, r *assignRun) error {
	if err := admin.GetContext(ctx, &r.Unassigned, `SELECT count(*) FROM leads WHERE tenant_id = $1 AND source <> 'preload'
		AND (assigned_by_rule_id IS NULL OR owner_id = $2)`, tenant, assignQueue); err != nil {
		return err
	}
	var rows []struct {
		Rule     string `db:"rule"`
		Owner    string `db:"owner_id"`
		Assigned int    `db:"assigned"`
	}
	if err := admin.SelectContext(ctx, &rows, `SELECT assigned_by_rule_id::text AS rule, owner_id, count(*) AS assigned FROM leads
		WHERE tenant_id = $1 AND assigned_by_rule_id IS NOT NULL GROUP BY 1, 2`, tenant); err != nil {
		return err
	}
	var open []struct {
		Owner string `db:"owner_id"`
		Open  int    `db:"open"`
	}
	if err := admin.SelectContext(ctx, &open, `SELECT owner_id, count(*) AS open FROM leads
		WHERE tenant_id = $1 AND status IN ('new', 'working', 'nurturing', 'qualified') AND deleted_at IS NULL GROUP BY 1`, tenant); err != nil {
		return err
	}
	openOf := make(map[string]int, len(open))
	for _, o := range open {
		openOf[o.Owner] = o.Open
	}
	for i := range r.Rules {
		rule := &r.Rules[i]
		given := make(map[string]int, len(rule.Members))
		for _, row := range rows {
			if row.Rule == rule.ID {
				given[row.Owner] += row.Assigned
				rule.Assigned += row.Assigned
			}
		}
		least, most := -1, 0
		for _, m := range rule.Members {
			rule.MostOpen = max(rule.MostOpen, openOf[m])
			if rule.Cap > 0 && openOf[m] > rule.Cap {
				r.OverCap++
			}
			if rule.Cap > 0 && openOf[m] >= rule.Cap {
				rule.AtCap++
				continue
			}
			if least < 0 || given[m] < least {
				least = given[m]
			}
			most = max(most, given[m])
		}
		if least >= 0 {
			rule.Spread = most - least
		}
		if rule.Strategy == "roundRobin" && rule.Spread > 1 {
			r.Uneven++
		}
	}
	return nil
}

// assignBaseline is the raw baseline of the assignment: the same number of
// leads, each given a new owner, team, rule and reason by its own UPDATE
// statement, assignBaselineTx to a transaction (as the service's batches)
// in a tenant transaction as the runtime role, one after another as the
// service's batches run. It returns rows/s.
func assignBaseline(ctx context.Context, app *sqlx.DB, tenant string) (float64, error) {
	var ids []string
	if err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &ids, `SELECT id FROM leads WHERE source <> 'preload' ORDER BY id`)
	}); err != nil {
		return 0, err
	}
	if len(ids) != assignLeads {
		return 0, fmt.Errorf("raw assignment baseline: %d leads, want %d", len(ids), assignLeads)
	}
	start := time.Now()
	for b := 0; b < len(ids); b += assignBaselineTx {
		if err := pg.WithTenantTx(ctx, app, tenant, func(tx *sqlx.Tx) error {
			for i, id := range ids[b:min(b+assignBaselineTx, len(ids))] {
				if _, err := tx.ExecContext(ctx, `UPDATE leads SET owner_id = $2, team_id = $3, assigned_by_rule_id = NULL, assignment_reason = $4,
					version = version + 1, updated_at = now() WHERE id = $1`,
					id, fmt.Sprintf("baseline-u%d", (b+i)%50), "baseline-team", "raw baseline"); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return 0, fmt.Errorf("raw assignment baseline: %w", err)
		}
	}
	return float64(len(ids)) / time.Since(start).Seconds(), nil
}
