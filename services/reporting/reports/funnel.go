package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// funnel is the lead funnel: per period of the leads' creation (the
// cohort: non-deleted leads created in it) and group, how many leads
// became MQLs (reached ≥ 1), SQLs (reached ≥ 2), opportunities (reached 3
// with an opportunity) and won ones (that opportunity won, not deleted),
// and the rate of each step over the one before. Limited to the caller's
// record scope on the leads.
func funnel() Definition {
	return Definition{
		Name: "funnel", Contexts: []string{rm.Sales}, Periodic: true,
		GroupBys: []string{"owner", "team", "source", "campaign"},
		Filter:   funnelFilter,
		Columns: []Column{
			{Name: "period", Label: "Period", LabelZh: "期间", Type: TypePeriod},
			{Name: "group", Label: "Group", LabelZh: "分组", Type: TypeString},
			{Name: "leads", Label: "Leads", LabelZh: "线索", Type: TypeInteger},
			{Name: "mql", Label: "MQLs", LabelZh: "市场认可线索", Type: TypeInteger},
			{Name: "sql", Label: "SQLs", LabelZh: "销售认可线索", Type: TypeInteger},
			{Name: "opportunities", Label: "Opportunities", LabelZh: "商机", Type: TypeInteger},
			{Name: "won", Label: "Won", LabelZh: "赢单", Type: TypeInteger},
			{Name: "mqlRate", Label: "MQL rate", LabelZh: "MQL 转化率", Type: TypePercent},
			{Name: "sqlRate", Label: "SQL rate", LabelZh: "SQL 转化率", Type: TypePercent},
			{Name: "opportunityRate", Label: "Opportunity rate", LabelZh: "商机转化率", Type: TypePercent},
			{Name: "winRate", Label: "Win rate", LabelZh: "赢单率", Type: TypePercent},
		},
		Run:     runFunnel,
		Records: funnelRecords,
	}
}

// funnelFilter is what a filter of the funnel may name (the leads' fields).
var funnelFilter = filter.Schema{Fields: []filter.Field{
	{Name: "source", Column: "l.source", Type: filter.String},
	{Name: "status", Column: "l.status", Type: filter.String},
	{Name: "ownerId", Column: "l.owner_id", Type: filter.String},
	{Name: "teamId", Column: "l.team_id", Type: filter.String},
	{Name: "campaignId", Column: "l.campaign_id", Type: filter.UUID},
	{Name: "rating", Column: "l.rating", Type: filter.String},
	{Name: "score", Column: "l.score", Type: filter.Number},
	{Name: "createdAt", Column: "l.created_at", Type: filter.Time},
}}

// funnelGroups are the SQL of the funnel's groups over rm_leads l.
var funnelGroups = map[string]string{
	"":         "''",
	"owner":    "l.owner_id",
	"team":     "l.team_id",
	"source":   "l.source",
	"campaign": "coalesce(l.campaign_id::text, '')",
}

// The conditions of the funnel's steps over rm_leads l and its won
// opportunity w (NULL unless won and not deleted).
const (
	stepMQL         = "l.reached >= 1"
	stepSQL         = "l.reached >= 2"
	stepOpportunity = "(l.reached = 3 AND l.opportunity_id IS NOT NULL)"
	stepWon         = "(l.reached = 3 AND l.opportunity_id IS NOT NULL AND w.id IS NOT NULL)"
)

// funnelSteps are the condition each measure's drill-down lists: a
// count's own, a rate's numerator's.
var funnelSteps = map[string]string{
	"leads": "TRUE", "mql": stepMQL, "sql": stepSQL, "opportunities": stepOpportunity, "won": stepWon,
	"mqlRate": stepMQL, "sqlRate": stepSQL, "opportunityRate": stepOpportunity, "winRate": stepWon,
}

// funnelFrom is the funnel's rows: the leads and their won opportunity.
const funnelFrom = ` FROM rm_leads l
	LEFT JOIN rm_opportunities w ON w.tenant_id = l.tenant_id AND w.gen = l.gen AND w.id = l.opportunity_id
		AND w.status = 'won' AND NOT w.deleted`

// funnelWhere returns the conditions of the cohort of p: the generation,
// non-deleted leads created in [p.From, p.To), the caller's scope, the
// filter.
func funnelWhere(p Params) (pgrecord.Query, error) {
	var q pgrecord.Query
	q.Add("l.gen = ?", p.Gen)
	q.Add("NOT l.deleted")
	q.Add("l.created_at >= ?", p.From)
	q.Add("l.created_at < ?", p.To)
	rm.Scope(&q, p.Principal, "l.owner_id", "l.team_id")
	return q, p.AddFilter(&q, funnelFilter)
}

// funnelRow is a row of the funnel as the database counts it.
type funnelRow struct {
	Period        time.Time `db:"period"`
	Group         string    `db:"grp"`
	Leads         int64     `db:"leads"`
	MQL           int64     `db:"mql"`
	SQL           int64     `db:"sql"`
	Opportunities int64     `db:"opportunities"`
	Won           int64     `db:"won"`
}

// runFunnel computes the funnel.
func runFunnel(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q, err := funnelWhere(p)
	if err != nil {
		return Table{}, err
	}
	var rows []funnelRow
	err = tx.SelectContext(ctx, &rows, `SELECT `+p.BucketSQL("l.created_at")+` AS period, `+funnelGroups[p.GroupBy]+` AS grp,
		count(*) AS leads,
		count(*) FILTER (WHERE `+stepMQL+`) AS mql,
		count(*) FILTER (WHERE `+stepSQL+`) AS sql,
		count(*) FILTER (WHERE `+stepOpportunity+`) AS opportunities,
		count(*) FILTER (WHERE `+stepWon+`) AS won`+funnelFrom+q.Where()+`
		GROUP BY 1, 2 ORDER BY 1, `+funnelGroups[p.GroupBy]+` COLLATE "C"`, q.Args...)
	if err != nil {
		return Table{}, fmt.Errorf("reports: funnel: %w", err)
	}
	t := Table{Columns: funnel().Columns, Rows: make([][]any, len(rows))}
	for i, r := range rows {
		t.Rows[i] = []any{r.Period, r.Group, r.Leads, r.MQL, r.SQL, r.Opportunities, r.Won,
			Percent(r.MQL, r.Leads), Percent(r.SQL, r.MQL), Percent(r.Opportunities, r.SQL), Percent(r.Won, r.Opportunities)}
	}
	return t, nil
}

// funnelRecords lists the leads behind a figure of the funnel: those of
// the cell's period and group that reached the measure's step.
func funnelRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	q, err := funnelWhere(p)
	if err != nil {
		return nil, err
	}
	q.Add(p.BucketSQL("l.created_at")+" = ?", cell.Period)
	q.Add(funnelGroups[p.GroupBy]+" = ?", cell.Group)
	q.Add(funnelSteps[cell.Measure])
	var rows []struct {
		ID          string     `db:"id"`
		Status      string     `db:"status"`
		Source      string     `db:"source"`
		Owner       string     `db:"owner_id"`
		Created     time.Time  `db:"created_at"`
		Opportunity *string    `db:"opportunity_id"`
		Converted   *time.Time `db:"converted_at"`
	}
	err = tx.SelectContext(ctx, &rows, `SELECT l.id, l.status, l.source, l.owner_id, l.created_at, l.opportunity_id, l.converted_at`+
		funnelFrom+q.Where()+fmt.Sprintf(` ORDER BY l.created_at, l.id LIMIT %d`, limit), q.Args...)
	if err != nil {
		return nil, fmt.Errorf("reports: funnel records: %w", err)
	}
	out := make([]Record, len(rows))
	for i, r := range rows {
		fields := map[string]any{"status": r.Status, "source": r.Source, "ownerId": r.Owner, "createdAt": r.Created.UTC()}
		if r.Opportunity != nil {
			fields["opportunityId"] = *r.Opportunity
		}
		if r.Converted != nil {
			fields["convertedAt"] = r.Converted.UTC()
		}
		out[i] = Record{Kind: "lead", ID: r.ID, Fields: fields}
	}
	return out, nil
}
