package reports

import (
	"context"
	"fmt"

	"github.com/cockroachdb/apd/v3"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/attribution"
	"github.com/rapport-crm/rapport/libs/filter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// ModelParam is campaign-roi's extra parameter: the attribution model its
// won amounts are credited by (attribution.Models), linear by default.
const ModelParam = "model"

// roiPlaces are the decimal places of a ROI (half-even).
const roiPlaces = 4

// campaignFilter is what the campaign-roi report's filter may name: the
// campaign's fields.
var campaignFilter = filter.Schema{Fields: []filter.Field{
	{Name: "campaignId", Column: "c.id", Type: filter.UUID},
	{Name: "name", Column: "c.name", Type: filter.String},
	{Name: "type", Column: "c.type", Type: filter.String},
	{Name: "status", Column: "c.status", Type: filter.String},
	{Name: "ownerId", Column: "c.owner_id", Type: filter.String},
	{Name: "parentId", Column: "c.parent_id", Type: filter.UUID},
	{Name: "createdAt", Column: "c.created_at", Type: filter.Time},
}}

// campaignROIColumns are the campaign-roi report's columns.
var campaignROIColumns = []Column{
	{Name: "group", Label: "Campaign", LabelZh: "营销活动", Type: TypeString},
	{Name: "name", Label: "Name", LabelZh: "名称", Type: TypeString},
	{Name: "leads", Label: "Leads", LabelZh: "线索", Type: TypeInteger},
	{Name: "conversions", Label: "Conversions", LabelZh: "转化", Type: TypeInteger},
	{Name: "wonAmount", Label: "Won amount", LabelZh: "赢单金额", Type: TypeMoney},
	{Name: "cost", Label: "Cost", LabelZh: "成本", Type: TypeMoney},
	{Name: "roi", Label: "ROI", LabelZh: "投资回报率", Type: TypeDecimal},
}

// campaignROIReport is the campaign-roi report (no periods; a row per
// campaign not deleted; not limited by record scope): its leads created
// in the period and those converted, the amounts of opportunities won in
// the period credited to it by the model over their contacts' touches in
// the 90 days before the win (libs/attribution), its cost in the report
// currency and its ROI.
func campaignROIReport() Definition {
	return Definition{Name: "campaign-roi", Contexts: []string{rm.Sales, rm.Marketing, rm.Contacts}, GroupBys: []string{"campaign"},
		DefaultGroupBy: "campaign", Columns: campaignROIColumns, Filter: campaignFilter,
		Extra: AmountExtra(map[string][]string{ModelParam: attribution.Models}), Run: runCampaignROI, Records: campaignROIRecords}
}

// roiModel is the model p asks for, linear by default.
func roiModel(p Params) string {
	if m := p.Extra.Get(ModelParam); m != "" {
		return m
	}
	return attribution.ModelLinear
}

// campaignRow is a campaign of the report with its leads and cost.
type campaignRow struct {
	ID           string  `db:"id"`
	Name         string  `db:"name"`
	Leads        int64   `db:"leads"`
	Conversions  int64   `db:"conversions"`
	Cost         *string `db:"actual_cost"`
	CostCurrency string  `db:"cost_currency"`
}

// runCampaignROI computes the campaign-roi report.
func runCampaignROI(ctx context.Context, tx *sqlx.Tx, p Params) (Table, error) {
	q := newReportSQL(p)
	where, err := q.filter(campaignFilter)
	if err != nil {
		return Table{}, err
	}
	var campaigns []campaignRow
	err = tx.SelectContext(ctx, &campaigns, `SELECT c.id, c.name, c.actual_cost::text AS actual_cost, c.cost_currency,
			count(l.id) AS leads, count(l.id) FILTER (WHERE l.reached = 3) AS conversions
		FROM rm_campaigns c
		LEFT JOIN rm_leads l ON l.gen = c.gen AND l.campaign_id = c.id AND NOT l.deleted AND `+q.inRange("l.created_at")+`
		WHERE c.gen = `+q.gen()+` AND NOT c.deleted AND `+where+`
		GROUP BY c.tenant_id, c.gen, c.id ORDER BY c.id::text COLLATE "C"`, q.Args...)
	if err != nil {
		return Table{}, fmt.Errorf("reports: campaign-roi: %w", err)
	}
	credits, err := wonCredits(ctx, tx, p)
	if err != nil {
		return Table{}, err
	}
	won := map[string]int64{}
	for _, c := range credits {
		won[c.Campaign] += c.Minor
	}
	cur := p.Currency
	out := make([][]any, 0, len(campaigns))
	for _, c := range campaigns {
		cost, roi := "", ""
		if c.Cost != nil && cur.Code != "" && c.CostCurrency == cur.Code {
			d, _, err := apd.NewFromString(*c.Cost)
			if err != nil {
				return Table{}, fmt.Errorf("reports: campaign-roi: cost of %s: %w", c.ID, err)
			}
			cost = Round(d, cur.Exponent)
			var gain apd.Decimal
			if _, err := exact.Sub(&gain, apd.New(won[c.ID], -int32(cur.Exponent)), d); err != nil {
				return Table{}, fmt.Errorf("reports: campaign-roi: %w", err)
			}
			roi = Quo(&gain, d, roiPlaces)
		}
		out = append(out, []any{c.ID, c.Name, c.Leads, c.Conversions, cur.Money(won[c.ID]), cost, roi})
	}
	return Table{Columns: campaignROIColumns, Rows: out}, nil
}

// credit is a campaign's part of a won opportunity's amount under the
// report's model, in minor units of the report currency.
type credit struct {
	Campaign, Opportunity string
	Minor                 int64
}

// wonTouch is a touch of a campaign counted for a won opportunity.
type wonTouch struct {
	Opportunity string `db:"opportunity_id"`
	Minor       int64  `db:"amount_minor"`
	Campaign    string `db:"campaign_id"`
}

// wonCredits credits the opportunities won in p's period in the report
// currency (not deleted, whatever their owner) to the campaigns their
// contacts (primary and roles, merges resolved on both sides) touched in
// the attribution.Lookback before the win, in the order of the touches
// (at, then event id), under p's model.
func wonCredits(ctx context.Context, tx *sqlx.Tx, p Params) ([]credit, error) {
	q := newReportSQL(p)
	var touches []wonTouch
	err := tx.SelectContext(ctx, &touches, `WITH won AS (
			SELECT o.gen, o.id, o.amount_minor, o.closed_at, o.primary_contact_id, o.contact_ids FROM rm_opportunities o
			WHERE o.gen = `+q.gen()+` AND NOT o.deleted AND o.status = 'won' AND o.currency = `+q.cur()+`
				AND `+q.inRange("o.closed_at")+`)
		SELECT w.id AS opportunity_id, w.amount_minor, t.campaign_id
		FROM won w
		CROSS JOIN LATERAL (
			SELECT DISTINCT coalesce(m.winner_id, c) AS id
			FROM unnest(array_append(w.contact_ids, w.primary_contact_id)) c
			LEFT JOIN rm_merges m ON m.gen = w.gen AND m.kind = 'contact' AND m.loser_id = c
			WHERE c IS NOT NULL) rc
		CROSS JOIN LATERAL (
			SELECT rc.id UNION SELECT m.loser_id FROM rm_merges m WHERE m.gen = w.gen AND m.kind = 'contact' AND m.winner_id = rc.id) ids(contact_id)
		JOIN rm_touches t ON t.gen = w.gen AND t.contact_id = ids.contact_id
			AND t.at < w.closed_at AND t.at >= w.closed_at - make_interval(secs => `+q.bind(attribution.Lookback.Seconds())+`)
		ORDER BY w.id, t.at, t.event_id`, q.Args...)
	if err != nil {
		return nil, fmt.Errorf("reports: campaign-roi: touches: %w", err)
	}
	model := roiModel(p)
	var out []credit
	for i := 0; i < len(touches); {
		j := i
		var campaigns []string
		for ; j < len(touches) && touches[j].Opportunity == touches[i].Opportunity; j++ {
			campaigns = append(campaigns, touches[j].Campaign)
		}
		parts, err := attribution.Credits(campaigns, touches[i].Minor)
		if err != nil {
			return nil, fmt.Errorf("reports: campaign-roi: %w", err)
		}
		for _, c := range parts {
			if c.Model == model {
				out = append(out, credit{Campaign: c.CampaignID, Opportunity: touches[i].Opportunity, Minor: c.Minor})
			}
		}
		i = j
	}
	return out, nil
}

// campaignROIRecords lists what a campaign-roi cell counted: its leads
// (leads, conversions), the won opportunities credited to it with their
// credit (wonAmount, roi; field credit) or the campaign itself (cost).
// Leads and opportunities are listed in the caller's record scope.
func campaignROIRecords(ctx context.Context, tx *sqlx.Tx, p Params, cell Cell, limit int) ([]Record, error) {
	q := newReportSQL(p)
	switch cell.Measure {
	case "leads", "conversions":
		cond := "TRUE"
		if cell.Measure == "conversions" {
			cond = "l.reached = 3"
		}
		scope := q.scope("l.owner_id", "l.team_id")
		sql := `SELECT ` + leadRecordColumns + ` FROM rm_leads l
			LEFT JOIN rm_opportunities o ON o.gen = l.gen AND o.id = l.opportunity_id AND o.status = 'won' AND NOT o.deleted
			WHERE l.gen = ` + q.gen() + ` AND NOT l.deleted AND l.campaign_id::text = ` + q.bind(cell.Group) + `
				AND ` + q.inRange("l.created_at") + ` AND ` + cond + ` AND ` + scope + ` ORDER BY l.id LIMIT ` + q.bind(limit)
		return selectLeadRecords(ctx, tx, "campaign-roi", sql, q)
	case "wonAmount", "roi":
		credits, err := wonCredits(ctx, tx, p)
		if err != nil {
			return nil, err
		}
		var ids []string
		var minor []int64
		for _, c := range credits {
			if c.Campaign == cell.Group {
				ids, minor = append(ids, c.Opportunity), append(minor, c.Minor)
			}
		}
		scope := q.scope("o.owner_id", "o.team_id")
		sql := `SELECT ` + oppRecordColumns("o") + `, c.minor AS extra
			FROM unnest(` + q.bind(pq.StringArray(ids)) + `::uuid[], ` + q.bind(pq.Int64Array(minor)) + `::bigint[]) c(id, minor)
			JOIN rm_opportunities o ON o.gen = ` + q.gen() + ` AND o.id = c.id
			WHERE ` + scope + ` ORDER BY o.id LIMIT ` + q.bind(limit)
		return selectOppRecords(ctx, tx, "campaign-roi", sql, q, "credit", true)
	case "cost":
		var rows []struct {
			ID   string  `db:"id"`
			Name string  `db:"name"`
			Cost *string `db:"actual_cost"`
			Cur  string  `db:"cost_currency"`
		}
		err := tx.SelectContext(ctx, &rows, `SELECT c.id, c.name, c.actual_cost::text AS actual_cost, c.cost_currency
			FROM rm_campaigns c WHERE c.gen = `+q.gen()+` AND NOT c.deleted AND c.id::text = `+q.bind(cell.Group)+`
			AND c.actual_cost IS NOT NULL AND c.cost_currency <> '' AND c.cost_currency = `+q.cur()+` LIMIT `+q.bind(limit), q.Args...)
		if err != nil {
			return nil, fmt.Errorf("reports: campaign-roi records: %w", err)
		}
		out := make([]Record, 0, len(rows))
		for _, r := range rows {
			out = append(out, Record{Kind: "campaign", ID: r.ID, Name: r.Name,
				Fields: map[string]any{"actualCost": *r.Cost, "costCurrency": r.Cur}})
		}
		return out, nil
	}
	return nil, errMeasure("campaign-roi", cell.Measure)
}
