package attribution

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/attribution"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// within adds to w the conditions that column is in q's period.
func within(w *pgrecord.Query, q Query, column string) {
	if !q.From.IsZero() {
		w.Add(column+" >= ?", q.From)
	}
	if !q.To.IsZero() {
		w.Add(column+" < ?", q.To)
	}
}

// countLeads counts the live leads of each campaign created in q's period.
func countLeads(ctx context.Context, tx *outbox.Tx, q Query) ([]countRow, error) {
	w := pgrecord.Query{}
	w.Add("NOT deleted")
	within(&w, q, "created_at")
	var out []countRow
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT campaign_id, count(*) AS n FROM attribution_leads"+w.Where()+
		" GROUP BY campaign_id", w.Args...); err != nil {
		return nil, fmt.Errorf("count leads: %w", pg.MapError(err))
	}
	return out, nil
}

// countOpportunities counts the live opportunities of each campaign
// created in q's period: those one of whose contacts touched the
// campaign within attribution.Lookback before they were created, and those a lead of
// the campaign was converted into.
func countOpportunities(ctx context.Context, tx *outbox.Tx, q Query) ([]countRow, error) {
	w := pgrecord.Query{Args: []any{attribution.Lookback.Seconds()}} // $1
	w.Add("NOT o.deleted")
	within(&w, q, "o.created_at")
	var out []countRow
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT campaign_id, count(DISTINCT id) AS n FROM (
			SELECT t.campaign_id, o.id FROM attribution_opportunities o JOIN attribution_touches t ON t.contact_id = ANY(o.contact_ids)
				AND t.at <= o.created_at AND t.at >= o.created_at - make_interval(secs => $1)`+w.Where()+`
			UNION ALL
			SELECT t.campaign_id, o.id FROM attribution_opportunities o JOIN attribution_touches t ON t.opportunity_id = o.id`+w.Where()+`
		) influenced GROUP BY campaign_id`, w.Args...); err != nil {
		return nil, fmt.Errorf("count opportunities: %w", pg.MapError(err))
	}
	return out, nil
}

// sumWon adds up the amounts credited to each campaign under q's model,
// per currency, of the opportunities won in q's period.
func sumWon(ctx context.Context, tx *outbox.Tx, q Query) ([]wonRow, error) {
	w := pgrecord.Query{}
	w.Add("model = ?", q.Model)
	within(&w, q, "closed_at")
	var out []wonRow
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT campaign_id, currency, exponent, sum(amount_minor) AS minor,
		count(DISTINCT opportunity_id) AS opportunities FROM attributed_revenue`+w.Where()+
		" GROUP BY campaign_id, currency, exponent ORDER BY campaign_id, currency", w.Args...); err != nil {
		return nil, fmt.Errorf("sum won amounts: %w", pg.MapError(err))
	}
	return out, nil
}

// readCampaigns reads the campaigns of package campaigns with their names
// and actual costs.
func readCampaigns(ctx context.Context, tx *outbox.Tx) ([]campaignRow, error) {
	var out []campaignRow
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT id, name, COALESCE(actual_cost_amount::text, '') AS cost,
		COALESCE(actual_cost_currency, '') AS currency FROM campaigns`); err != nil {
		return nil, fmt.Errorf("read campaigns: %w", pg.MapError(err))
	}
	return out, nil
}
