package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
)

// The seeds write read-model rows of generation 1 (the active one of a
// tenant without rm_generations rows) straight into the rm_* tables as
// the database owner, INSERT … SELECT … FROM generate_series, at most
// seedChunk rows a statement: publishing a million events through Kafka
// and the live consumers would take hours here. Ids are md5(tenant, kind,
// g) as UUIDs, so one seed's rows can name another's. Every statement
// takes $1 tenant, $2 the anchor (now, to the hour), $3 and $4 the range
// of g, then its own arguments.
const seedChunk = 100_000

// seedTable runs insert for g in 1…n in chunks.
func seedTable(ctx context.Context, admin *sqlx.DB, tenant string, anchor time.Time, what string, n int, insert string, args ...any) error {
	for from := 1; from <= n; from += seedChunk {
		to := min(n, from+seedChunk-1)
		if _, err := admin.ExecContext(ctx, insert, append([]any{tenant, anchor, from, to}, args...)...); err != nil {
			return fmt.Errorf("seed %s %d–%d: %w", what, from, to, err)
		}
	}
	return nil
}

// seedID is the SQL of the id of kind's row number expr of tenant $1.
func seedID(kind, expr string) string {
	return "md5($1::text || '-" + kind + "-' || (" + expr + "))::uuid"
}

// seedStages writes tenant's pipeline of five stages: s-0…s-2 open,
// s-3 won, s-4 lost.
func seedStages(ctx context.Context, admin *sqlx.DB, tenant string) error {
	_, err := admin.ExecContext(ctx, `INSERT INTO rm_stages (tenant_id, gen, pipeline_id, stage_id, pipeline, name, kind, position, version)
		SELECT $1::uuid, 1, `+seedID("p", "0")+`, `+seedID("s", "g - 1")+`, 'Sales', 'Stage ' || g,
			(ARRAY['open', 'open', 'open', 'won', 'lost'])[g], g, 1
		FROM generate_series(1, 5) g`, tenant)
	return err
}

// seedFreshness writes tenant's freshness: events applied of each context
// as of the anchor.
func seedFreshness(ctx context.Context, admin *sqlx.DB, tenant string, anchor time.Time, events int) error {
	_, err := admin.ExecContext(ctx, `INSERT INTO rm_freshness (tenant_id, gen, context, as_of, events)
		SELECT $1::uuid, 1, c, $2, $3 FROM unnest(ARRAY['contacts', 'sales', 'marketing', 'support']) c`, tenant, anchor, events/4)
	return err
}

// reportingShape is how many rows of each read model the reports' tenant
// gets for a history of events events (about one row an event).
type reportingShape struct {
	Accounts, Contacts, Stages, Leads, Opportunities, Moves, Activities, Campaigns, Touches, Cases, Responses, Breaches, Surveys int
}

// shapeOf is the reports' tenant's rows for events events.
func shapeOf(events int) reportingShape {
	return reportingShape{Accounts: events / 20, Contacts: events / 10, Stages: events / 5, Leads: events / 10,
		Opportunities: events / 10, Moves: events / 10, Activities: events / 10, Campaigns: 50, Touches: events / 10,
		Cases: events / 10, Responses: events / 20, Breaches: events / 100, Surveys: events / 50}
}

// Rows is the rows of every read model of the shape.
func (s reportingShape) Rows() int {
	return s.Accounts + s.Contacts + s.Stages + s.Leads + s.Opportunities + s.Moves + s.Activities + s.Campaigns + s.Touches +
		s.Cases + s.Responses + s.Breaches + s.Surveys
}

// Common SQL of the seeds: a time within the last 350 days before the
// anchor, an owner of twenty, a team of four.
const (
	seedAt    = `$2::timestamptz - (g % 350) * interval '1 day' - (g % 24) * interval '1 hour'`
	seedOwner = `'owner-' || g % 20`
	seedTeam  = `'team-' || g % 4`
)

// seedReports writes the reports' tenant's read models of shape sh.
func seedReports(ctx context.Context, admin *sqlx.DB, tenant string, anchor time.Time, sh reportingShape) error {
	steps := []struct {
		what string
		n    int
		sql  string
		args []any
	}{
		{"accounts", sh.Accounts, `INSERT INTO rm_accounts (tenant_id, gen, id, name, industry, owner_id, team_id, created_at, version)
			SELECT $1::uuid, 1, ` + seedID("a", "g") + `, 'Account ' || g, (ARRAY['retail', 'software', 'finance', 'health', 'energy'])[1 + g % 5],
				` + seedOwner + `, ` + seedTeam + `, ` + seedAt + `, 1 FROM generate_series($3::int, $4::int) g`, nil},
		{"contacts", sh.Contacts, `INSERT INTO rm_contacts (tenant_id, gen, id, account_id, owner_id, team_id, source, lifecycle_stage, display_name, created_at, version)
			SELECT $1::uuid, 1, ` + seedID("c", "g") + `, ` + seedID("a", "1 + g % $5") + `, ` + seedOwner + `, ` + seedTeam + `,
				(ARRAY['web', 'referral', 'event', 'ads'])[1 + g % 4], (ARRAY['lead', 'marketingQualified', 'customer'])[1 + g % 3],
				'Contact ' || g, ` + seedAt + `, 2 FROM generate_series($3::int, $4::int) g`, []any{sh.Accounts}},
		{"contact stages", sh.Stages, `INSERT INTO rm_contact_stages (tenant_id, gen, contact_id, version, stage, at)
			SELECT $1::uuid, 1, ` + seedID("c", "1 + (g - 1) / 2") + `, 1 + (g - 1) % 2,
				CASE WHEN g % 2 = 1 THEN 'lead' ELSE (ARRAY['lead', 'marketingQualified', 'customer'])[1 + ((g - 1) / 2 + 1) % 3] END,
				$2::timestamptz - (((g - 1) / 2 + 1) % 350) * interval '1 day' + ((g - 1) % 2) * interval '10 days'
			FROM generate_series($3::int, $4::int) g`, nil},
		{"leads", sh.Leads, `INSERT INTO rm_leads (tenant_id, gen, id, status, reached, source, campaign_id, owner_id, team_id, score, created_at,
				converted_at, opportunity_id, version)
			SELECT $1::uuid, 1, ` + seedID("l", "g") + `, (ARRAY['new', 'working', 'qualified', 'converted'])[1 + g % 4], g % 4,
				(ARRAY['web', 'referral', 'event', 'ads'])[1 + g % 4], ` + seedID("k", "1 + g % 50") + `, ` + seedOwner + `, ` + seedTeam + `, g % 100,
				` + seedAt + `, CASE WHEN g % 4 = 3 THEN $2::timestamptz - (g % 350) * interval '1 day' + interval '3 days' END,
				CASE WHEN g % 4 = 3 AND g <= $5 THEN ` + seedID("o", "g") + ` END, 1
			FROM generate_series($3::int, $4::int) g`, []any{sh.Opportunities}},
		{"opportunities", sh.Opportunities, seedOpportunitiesSQL, []any{sh.Accounts, sh.Contacts}},
		{"stage moves", sh.Moves, `INSERT INTO rm_stage_moves (tenant_id, gen, event_id, opportunity_id, from_stage_id, to_stage_id, at)
			SELECT $1::uuid, 1, ` + seedID("m", "g") + `, ` + seedID("o", "g") + `, ` + seedID("s", "0") + `, ` + seedID("s", "1") + `,
				` + seedAt + ` + interval '2 days' FROM generate_series($3::int, $4::int) g`, nil},
		{"activities", sh.Activities, `INSERT INTO rm_activities (tenant_id, gen, id, type, owner_id, team_id, contact_id, account_id, occurred_at, completed, version)
			SELECT $1::uuid, 1, ` + seedID("v", "g") + `, (ARRAY['call', 'email', 'meeting', 'note', 'task'])[1 + g % 5], ` + seedOwner + `, ` + seedTeam + `,
				` + seedID("c", "1 + g % $5") + `, ` + seedID("a", "1 + g % $6") + `, ` + seedAt + `, g % 2 = 0, 1
			FROM generate_series($3::int, $4::int) g`, []any{sh.Contacts, sh.Accounts}},
		{"campaigns", sh.Campaigns, `INSERT INTO rm_campaigns (tenant_id, gen, id, name, type, owner_id, status, budget, actual_cost, cost_currency, created_at, version)
			SELECT $1::uuid, 1, ` + seedID("k", "g") + `, 'Campaign ' || g, 'email', ` + seedOwner + `, 'active', 5000, 1000 + g, 'EUR',
				$2::timestamptz - interval '400 days', 1 FROM generate_series($3::int, $4::int) g`, nil},
		{"touches", sh.Touches, `INSERT INTO rm_touches (tenant_id, gen, event_id, contact_id, campaign_id, kind, channel, at)
			SELECT $1::uuid, 1, ` + seedID("t", "g") + `, ` + seedID("c", "1 + g % $5") + `, ` + seedID("k", "1 + g % 50") + `,
				(ARRAY['sent', 'opened', 'clicked', 'form', 'responded'])[1 + g % 5], 'email', ` + seedAt + `
			FROM generate_series($3::int, $4::int) g`, []any{sh.Contacts}},
		{"cases", sh.Cases, `INSERT INTO rm_cases (tenant_id, gen, id, number, channel, queue_id, priority, type, status, assignee_id, contact_id, account_id,
				created_at, solved_at, closed_at, version)
			SELECT $1::uuid, 1, ` + seedID("x", "g") + `, g, (ARRAY['email', 'phone', 'chat', 'web'])[1 + g % 4], 'queue-' || g % 5,
				(ARRAY['low', 'normal', 'high', 'urgent'])[1 + g % 4], '', (ARRAY['new', 'open', 'solved', 'closed'])[1 + g % 4], ` + seedOwner + `,
				` + seedID("c", "1 + g % $5") + `, ` + seedID("a", "1 + g % $6") + `, ` + seedAt + `,
				CASE WHEN g % 4 >= 2 THEN ` + seedAt + ` + (g % 72) * interval '1 hour' END,
				CASE WHEN g % 4 = 3 THEN ` + seedAt + ` + (g % 72 + 24) * interval '1 hour' END, 1
			FROM generate_series($3::int, $4::int) g`, []any{sh.Contacts, sh.Accounts}},
		{"first responses", sh.Responses, `INSERT INTO rm_case_responses (tenant_id, gen, case_id, first_response_at)
			SELECT $1::uuid, 1, ` + seedID("x", "2 * g") + `, $2::timestamptz - ((2 * g) % 350) * interval '1 day' - ((2 * g) % 24) * interval '1 hour'
				+ (g % 300) * interval '1 minute' FROM generate_series($3::int, $4::int) g`, nil},
		{"breaches", sh.Breaches, `INSERT INTO rm_case_breaches (tenant_id, gen, case_id, target, due_at)
			SELECT $1::uuid, 1, ` + seedID("x", "10 * g") + `, 'first_response', $2::timestamptz - ((10 * g) % 350) * interval '1 day'
			FROM generate_series($3::int, $4::int) g`, nil},
		{"surveys", sh.Surveys, `INSERT INTO rm_surveys (tenant_id, gen, id, kind, score, case_id, queue_id, agent_id, answered_at)
			SELECT $1::uuid, 1, ` + seedID("y", "g") + `, CASE WHEN g % 2 = 0 THEN 'csat' ELSE 'nps' END,
				CASE WHEN g % 2 = 0 THEN 1 + g % 5 ELSE g % 11 END, ` + seedID("x", "g") + `, 'queue-' || g % 5, ` + seedOwner + `, ` + seedAt + `
			FROM generate_series($3::int, $4::int) g`, nil},
	}
	for _, st := range steps {
		if err := seedTable(ctx, admin, tenant, anchor, st.what, st.n, st.sql, st.args...); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bench: reporting: %d %s seeded\n", st.n, st.what)
	}
	if err := seedStages(ctx, admin, tenant); err != nil {
		return err
	}
	return seedFreshness(ctx, admin, tenant, anchor, sh.Rows())
}

// seedOpportunitiesSQL writes opportunity g ($5 accounts, $6 contacts):
// one in three open (stage s-0…s-2), won (s-3) or lost (s-4); closed ones
// closed up to 59 days after their creation, before the anchor.
const seedOpportunitiesSQL = `INSERT INTO rm_opportunities (tenant_id, gen, id, name, pipeline_id, stage_id, status, amount_minor, currency, exponent,
		probability, forecast_category, owner_id, team_id, account_id, primary_contact_id, close_date, created_at, closed_at, version)
	SELECT $1::uuid, 1, md5($1::text || '-o-' || g)::uuid, 'Opportunity ' || g, md5($1::text || '-p-0')::uuid,
		md5($1::text || '-s-' || CASE g % 3 WHEN 0 THEN 3 WHEN 1 THEN 4 ELSE g % 3 END)::uuid,
		(ARRAY['won', 'lost', 'open'])[1 + g % 3], 10000 + g % 100000, 'EUR', 2, 10 * (g % 10), (ARRAY['pipeline', 'bestCase', 'commit'])[1 + g % 3],
		'owner-' || g % 20, 'team-' || g % 4, md5($1::text || '-a-' || (1 + g % $5))::uuid, md5($1::text || '-c-' || (1 + g % $6))::uuid,
		(t.created + interval '45 days')::date, t.created,
		CASE WHEN g % 3 < 2 THEN least(t.created + (g % 60) * interval '1 day', $2::timestamptz - interval '1 hour') END, 1
	FROM generate_series($3::int, $4::int) g
	CROSS JOIN LATERAL (SELECT $2::timestamptz - (g % 350) * interval '1 day' - (g % 24) * interval '1 hour' AS created) t`

// seedExport writes the export's tenant: rows accounts, each with one won
// opportunity closed within the last 300 days, so customer-value per
// account has rows rows.
func seedExport(ctx context.Context, admin *sqlx.DB, tenant string, anchor time.Time, rows int) error {
	if err := seedTable(ctx, admin, tenant, anchor, "accounts", rows, `INSERT INTO rm_accounts (tenant_id, gen, id, name, industry, owner_id, team_id, created_at, version)
		SELECT $1::uuid, 1, `+seedID("a", "g")+`, 'Account ' || g, (ARRAY['retail', 'software', 'finance', 'health', 'energy'])[1 + g % 5],
			`+seedOwner+`, `+seedTeam+`, $2::timestamptz - interval '2 years', 1 FROM generate_series($3::int, $4::int) g`); err != nil {
		return err
	}
	if err := seedTable(ctx, admin, tenant, anchor, "won opportunities", rows, `INSERT INTO rm_opportunities (tenant_id, gen, id, name, pipeline_id, stage_id,
			status, amount_minor, currency, exponent, owner_id, team_id, account_id, created_at, closed_at, version)
		SELECT $1::uuid, 1, `+seedID("o", "g")+`, 'Opportunity ' || g, `+seedID("p", "0")+`, `+seedID("s", "3")+`, 'won', 10000 + g % 100000, 'EUR', 2,
			`+seedOwner+`, `+seedTeam+`, `+seedID("a", "g")+`, $2::timestamptz - (g % 300 + 30) * interval '1 day',
			$2::timestamptz - (g % 300) * interval '1 day', 1 FROM generate_series($3::int, $4::int) g`); err != nil {
		return err
	}
	if err := seedStages(ctx, admin, tenant); err != nil {
		return err
	}
	return seedFreshness(ctx, admin, tenant, anchor, 2*rows)
}

// seedTraining writes the training tenant: closed opportunities (won when
// g mod 7 < 3, else lost) over three years on
// closed/10 accounts, closed/20 open ones, two stage moves of each closed
// one, an activity on an account for every second one and the lead each
// second one was converted from.
func seedTraining(ctx context.Context, admin *sqlx.DB, tenant string, anchor time.Time, closed int) error {
	accounts, open := max(1, closed/10), closed/20
	const created = `$2::timestamptz - (g % 1000 + 100) * interval '1 day'`
	steps := []struct {
		what string
		n    int
		sql  string
		args []any
	}{
		{"opportunities", closed + open, `INSERT INTO rm_opportunities (tenant_id, gen, id, name, pipeline_id, stage_id, status, amount_minor, currency, exponent,
				probability, owner_id, team_id, account_id, created_at, closed_at, version)
			SELECT $1::uuid, 1, ` + seedID("o", "g") + `, 'Opportunity ' || g, ` + seedID("p", "0") + `, ` + seedID("s", "CASE WHEN g > $5 THEN 1 WHEN w THEN 3 ELSE 4 END") + `,
				CASE WHEN g > $5 THEN 'open' WHEN w THEN 'won' ELSE 'lost' END, 10000 + g % 100000, 'EUR', 2, 50,
				` + seedOwner + `, ` + seedTeam + `, ` + seedID("a", "1 + g % $6") + `, ` + created + `,
				CASE WHEN g <= $5 THEN ` + created + ` + (g % 90 + 1) * interval '1 day' END, 1
			FROM generate_series($3::int, $4::int) g CROSS JOIN LATERAL (SELECT g % 7 < 3 AS w) x`, []any{closed, accounts}},
		{"stage moves", 2 * closed, `INSERT INTO rm_stage_moves (tenant_id, gen, event_id, opportunity_id, from_stage_id, to_stage_id, at)
			SELECT $1::uuid, 1, ` + seedID("m", "g") + `, ` + seedID("o", "o") + `,
				CASE WHEN g % 2 = 1 THEN ` + seedID("s", "0") + ` ELSE ` + seedID("s", "1") + ` END,
				CASE WHEN g % 2 = 1 THEN ` + seedID("s", "1") + ` WHEN o % 7 < 3 THEN ` + seedID("s", "3") + ` ELSE ` + seedID("s", "4") + ` END,
				$2::timestamptz - (o % 1000 + 100) * interval '1 day' + CASE WHEN g % 2 = 1 THEN interval '1 day' ELSE (o % 90 + 1) * interval '1 day' END
			FROM generate_series($3::int, $4::int) g CROSS JOIN LATERAL (SELECT (g + 1) / 2 AS o) x`, nil},
		{"activities", closed / 2, `INSERT INTO rm_activities (tenant_id, gen, id, type, owner_id, team_id, account_id, occurred_at, completed, version)
			SELECT $1::uuid, 1, ` + seedID("v", "g") + `, 'call', ` + seedOwner + `, ` + seedTeam + `, ` + seedID("a", "1 + g % $5") + `,
				` + created + `, true, 1 FROM generate_series($3::int, $4::int) g`, []any{accounts}},
		{"leads", closed / 2, `INSERT INTO rm_leads (tenant_id, gen, id, status, reached, source, owner_id, team_id, created_at, converted_at, opportunity_id, version)
			SELECT $1::uuid, 1, ` + seedID("l", "g") + `, 'converted', 3, (ARRAY['web', 'referral', 'event', 'ads'])[1 + g % 4], ` + seedOwner + `, ` + seedTeam + `,
				$2::timestamptz - (2 * g % 1000 + 105) * interval '1 day', $2::timestamptz - (2 * g % 1000 + 100) * interval '1 day', ` + seedID("o", "2 * g") + `, 1
			FROM generate_series($3::int, $4::int) g`, nil},
	}
	for _, st := range steps {
		if err := seedTable(ctx, admin, tenant, anchor, st.what, st.n, st.sql, st.args...); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bench: reporting: training tenant: %d %s seeded\n", st.n, st.what)
	}
	if err := seedStages(ctx, admin, tenant); err != nil {
		return err
	}
	return seedFreshness(ctx, admin, tenant, anchor, closed*3)
}
