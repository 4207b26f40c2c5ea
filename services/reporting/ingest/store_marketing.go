package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// saveCampaign upserts p into gen's rm_campaigns unless a newer version
// is there; deleted (campaign.deleted, which carries the last version)
// wins over the same version. The costs stay exact decimals; their
// currency is the actual cost's, else the budget's.
func saveCampaign(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p campaignPayload, deleted bool) error {
	var budget, cost *string
	currency := ""
	if p.Budget != nil {
		budget, currency = &p.Budget.Amount, p.Budget.Currency
	}
	if p.ActualCost != nil {
		cost, currency = &p.ActualCost.Amount, p.ActualCost.Currency
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_campaigns (tenant_id, gen, id, name, type, parent_id, owner_id, status,
			budget, actual_cost, cost_currency, starts_on, ends_on, created_at, deleted, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7,
			$8::numeric, $9::numeric, $10, $11::date, $12::date, $13, $14, $15)
		ON CONFLICT (tenant_id, gen, id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type,
			parent_id = EXCLUDED.parent_id, owner_id = EXCLUDED.owner_id, status = EXCLUDED.status,
			budget = EXCLUDED.budget, actual_cost = EXCLUDED.actual_cost, cost_currency = EXCLUDED.cost_currency,
			starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on, created_at = EXCLUDED.created_at,
			deleted = EXCLUDED.deleted, version = EXCLUDED.version
		WHERE rm_campaigns.version < EXCLUDED.version OR EXCLUDED.deleted AND rm_campaigns.version <= EXCLUDED.version`,
		gen, p.ID, p.Name, p.Type, nullable(p.ParentID), p.OwnerID, p.Status,
		budget, cost, currency, nullable(p.StartsOn), nullable(p.EndsOn), p.CreatedAt, deleted, p.Version)
	if err != nil {
		return fmt.Errorf("ingest: campaign %s: %w", p.ID, err)
	}
	return nil
}

// saveTouch records in gen's rm_touches the touch of campaign by contact
// that event made (kind sent, opened, clicked, form, responded) at at;
// a redelivery changes nothing.
func saveTouch(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, event, contact, campaign, kind, channel string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_touches (tenant_id, gen, event_id, contact_id, campaign_id, kind, channel, at)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (tenant_id, gen, event_id) DO NOTHING`, gen, event, contact, campaign, kind, channel, at)
	if err != nil {
		return fmt.Errorf("ingest: touch %s: %w", event, err)
	}
	return nil
}
