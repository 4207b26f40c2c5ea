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

// leadGroups are the lead-sources report's groupings and their columns.
var leadGroups = map[string]string{"source": "l.source", "campaign": "coalesce(l.campaign_id::text, '')"}

// leadFilter is what the lead-sources report's filter may name: the
// lead's fields.
var leadFilter = filter.Schema{Fields: []filter.Field{
	{Name: "leadId", Column: "l.id", Type: filter.UUID},
	{Name: "ownerId", Column: "l.owner_id", Type: filter.String},
	{Name: "teamId", Column: "l.team_id", Type: filter.String},
	{Name: "source", Column: "l.source", Type: filter.String},
	{Name: "campaignId", Column: "l.campaign_id", Type: filter.UUID},
	{Name: "status", Column: "l.status", Type: filter.String},
	{Name: "rating", Column: "l.rating", Type: filter.String},
	{Name: "score", Column: "l.score", Type: filter.Number},
	{Name: "createdAt", Column: "l.created_at", Type: filter.Time},
}}

// leadSourcesColumns are the lead-sources report's columns.
var leadSourcesColumns = []Column{
	{Name: "period", Label: "Period", LabelZh: "期间", Type: TypePeriod},
	{Name: "group", Label: "Group", LabelZh: "分组", Type: TypeString},
	{Name: "leads", Label: "Leads", LabelZh: "线索", Type: TypeInteger},
	{Name: "converted", Label: "Converted", LabelZh: "已转化", Type: TypeInteger},
	{Name: "won", Label: "Won", LabelZh: "赢单", Type: TypeInteger},
	{Name: "wonAmount", Label: "Won amount", LabelZh: "赢单金额", Type: TypeMoney},
	{Name: "conversionRate", Label: "Conversion rate", LabelZh: "转化率", Type: TypePercent},
}

// leadSourcesReport is the lead-sources report (periodic by the leads'
// creation; groupBy source, the default, or campaign; the caller's leads,
// not deleted): leads, those converted, those whose opportunity was won
// and its amount, and the conversion rate.
func leadSourcesReport() Definition {
	return Definition{Name: "lead-sources", Contexts: []string{rm.Sales}, GroupBys: []string{"source", "campaign"},
		DefaultGroupBy: "source", Periodic: true, Columns: leadSourcesColumns, Filter: leadFilter, Extra: AmountExtra(nil),
		Run: runLeadSources, Records: leadSourcesRecords}
}

// leadFacts is the FROM … WHERE of the lead-sources report: the caller's
// leads (l) created in the period, in the filter, with their period, group
// and won opportunity (o; NULL unless won and not deleted).
func leadFacts(q *reportSQL) (string, error) {
	scope := q.scope("l.owner_id", "l.team_id")
	where, err := q.filter(leadFilter)
	if err != nil {
		return "", err
	}
	return ` FROM rm_leads l
		LEFT JOIN rm_opportunities o ON o.gen = l.gen AND o.id = l.opportunity_id AND o.status = 'won' AND NOT o.deleted
		WHERE l.gen = ` + q.gen() + ` AND NOT l.deleted AND ` + q.inRange("l.created_at") + ` AND ` + scope + ` AND ` + where, nil
}

// leadSourcesRow is a row of the lead-sources report as SQL computes it.
type leadSourcesRow struct {
	Period    string `db:"period"`
	Group     string `db:"grp"`
	Leads     int64  `db:"leads"`
	Converted int64  `db:"converted"`
	Won       int64  `db:"won"`
	WonAmount int64  `db:"won_amount"`
}

// runLeadSources computes the lead-sources report.
func runLeadSources(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q := newReportSQL(p)
	from, err := leadFacts(q)
	if err != nil {
		return Table{}, err
	}
	sql := `SELECT * FROM (SELECT ` + q.period("l.created_at") + ` AS period, ` + reportGroup(p.GroupBy, leadGroups) + ` AS grp,
		count(*) AS leads, count(*) FILTER (WHERE l.reached = 3) AS converted, count(o.id) AS won,
		coalesce(sum(o.amount_minor) FILTER (WHERE o.currency = ` + q.cur() + `), 0)::bigint AS won_amount` + from + `
		GROUP BY period, grp) r ORDER BY period, grp COLLATE "C"`
	var rows []leadSourcesRow
	if err := tx.SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return Table{}, fmt.Errorf("reports: lead-sources: %w", err)
	}
	out := make([][]any, 0, len(rows))
	for _, r := range rows {
		out = append(out, []any{r.Period, r.Group, r.Leads, r.Converted, r.Won, p.Currency.Money(r.WonAmount),
			Percent(r.Converted, r.Leads)})
	}
	return Table{Columns: leadSourcesColumns, Rows: out}, nil
}

// leadRecord is a lead as a drill-down lists it, with its won
// opportunity's amount when it has one.
type leadRecord struct {
	ID          string    `db:"id"`
	Status      string    `db:"status"`
	Source      string    `db:"source"`
	Campaign    *string   `db:"campaign_id"`
	Owner       string    `db:"owner_id"`
	Created     time.Time `db:"created_at"`
	Opportunity *string   `db:"opportunity_id"`
	WonMinor    *int64    `db:"won_minor"`
	WonCurrency *string   `db:"won_currency"`
	WonExponent *int      `db:"won_exponent"`
}

// leadRecordColumns are the columns a leadRecord reads of l and o.
const leadRecordColumns = `l.id, l.status, l.source, l.campaign_id, l.owner_id, l.created_at, l.opportunity_id,
	o.amount_minor AS won_minor, o.currency AS won_currency, o.exponent AS won_exponent`

// selectLeadRecords runs sql, whose rows are leadRecords, and returns them
// as records.
func selectLeadRecords(ctx context.Context, tx *sqlx.Tx, report, sql string, q *reportSQL) ([]Record, error) {
	var rows []leadRecord
	if err := tx.SelectContext(ctx, &rows, sql, q.Args...); err != nil {
		return nil, fmt.Errorf("reports: %s records: %w", report, err)
	}
	out := make([]Record, 0, len(rows))
	for _, r := range rows {
		f := map[string]any{"status": r.Status, "source": r.Source, "campaignId": pgrecord.Deref(r.Campaign),
			"ownerId": r.Owner, "createdAt": r.Created.UTC().Format(time.RFC3339), "opportunityId": pgrecord.Deref(r.Opportunity)}
		if r.WonMinor != nil {
			f["wonAmount"], f["wonCurrency"] = Money(*r.WonMinor, *r.WonExponent), *r.WonCurrency
		}
		out = append(out, Record{Kind: "lead", ID: r.ID, Fields: f})
	}
	return out, nil
}

// leadSourcesMeasures are the leads behind each measure.
var leadSourcesMeasures = map[string]string{"leads": "TRUE", "converted": "l.reached = 3", "conversionRate": "l.reached = 3",
	"won": "o.id IS NOT NULL", "wonAmount": "o.currency = "}

// leadSourcesRecords lists the leads a lead-sources cell counted.
func leadSourcesRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	cond, ok := leadSourcesMeasures[cell.Measure]
	if !ok {
		return nil, errMeasure("lead-sources", cell.Measure)
	}
	q := newReportSQL(p)
	from, err := leadFacts(q)
	if err != nil {
		return nil, err
	}
	if cell.Measure == "wonAmount" {
		cond += q.cur()
	}
	sql := `SELECT ` + leadRecordColumns + from + ` AND ` + cond + `
		AND ` + q.period("l.created_at") + ` = ` + q.bind(cell.Period.UTC().Format(time.DateOnly)) + `
		AND ` + reportGroup(p.GroupBy, leadGroups) + ` = ` + q.bind(cell.Group) + ` ORDER BY l.id LIMIT ` + q.bind(limit)
	return selectLeadRecords(ctx, tx, "lead-sources", sql, q)
}
