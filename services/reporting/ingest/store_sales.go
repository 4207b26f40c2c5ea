package ingest

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// saveLead upserts p into gen's rm_leads unless a newer version is there
// (deleted: lead.deleted, which wins over the same version), then raises
// the lead's funnel step (reached) to what p's status shows: never
// lowered, whatever order the lead's events arrive in.
func saveLead(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p leadPayload, deleted bool) error {
	deleted = deleted || p.DeletedAt != nil
	reached, shows := leadReached[p.Status]
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_leads (tenant_id, gen, id, status, reached, source, campaign_id, owner_id,
			team_id, score, rating, created_at, converted_at, contact_id, account_id, opportunity_id, deleted, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (tenant_id, gen, id) DO UPDATE SET status = EXCLUDED.status, source = EXCLUDED.source,
			campaign_id = EXCLUDED.campaign_id, owner_id = EXCLUDED.owner_id, team_id = EXCLUDED.team_id,
			score = EXCLUDED.score, rating = EXCLUDED.rating, created_at = EXCLUDED.created_at,
			converted_at = EXCLUDED.converted_at, contact_id = EXCLUDED.contact_id, account_id = EXCLUDED.account_id,
			opportunity_id = EXCLUDED.opportunity_id, deleted = EXCLUDED.deleted, version = EXCLUDED.version
		WHERE rm_leads.version < EXCLUDED.version OR EXCLUDED.deleted AND rm_leads.version <= EXCLUDED.version`,
		gen, p.ID, p.Status, reached, p.Source, nullable(p.CampaignID), p.OwnerID, p.TeamID, p.Score, p.Rating,
		p.CreatedAt, p.ConvertedAt, nullable(p.ConvertedContactID), nullable(p.ConvertedAccountID),
		nullable(p.ConvertedOpportunityID), deleted, p.Version)
	if err != nil {
		return fmt.Errorf("ingest: lead %s: %w", p.ID, err)
	}
	if !shows {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE rm_leads SET reached = $3 WHERE gen = $1 AND id = $2 AND reached < $3`,
		gen, p.ID, reached); err != nil {
		return fmt.Errorf("ingest: lead %s's funnel step: %w", p.ID, err)
	}
	return nil
}

// saveOpportunity upserts p into gen's rm_opportunities unless a newer
// version is there (deleted: opportunity.deleted, which wins over the
// same version). Without an amount it is 0 in no currency.
func saveOpportunity(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p opportunityPayload, deleted bool) error {
	deleted = deleted || p.DeletedAt != nil
	amount := amountPayload{}
	if p.Amount != nil {
		amount = *p.Amount
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_opportunities (tenant_id, gen, id, name, pipeline_id, stage_id, status,
			amount_minor, currency, exponent, probability, forecast_category, owner_id, team_id, account_id,
			primary_contact_id, contact_ids, close_date, created_at, closed_at, deleted, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
			$15, $16::uuid[], $17::date, $18, $19, $20, $21)
		ON CONFLICT (tenant_id, gen, id) DO UPDATE SET name = EXCLUDED.name, pipeline_id = EXCLUDED.pipeline_id,
			stage_id = EXCLUDED.stage_id, status = EXCLUDED.status, amount_minor = EXCLUDED.amount_minor,
			currency = EXCLUDED.currency, exponent = EXCLUDED.exponent, probability = EXCLUDED.probability,
			forecast_category = EXCLUDED.forecast_category, owner_id = EXCLUDED.owner_id, team_id = EXCLUDED.team_id,
			account_id = EXCLUDED.account_id, primary_contact_id = EXCLUDED.primary_contact_id,
			contact_ids = EXCLUDED.contact_ids, close_date = EXCLUDED.close_date, created_at = EXCLUDED.created_at,
			closed_at = EXCLUDED.closed_at, deleted = EXCLUDED.deleted, version = EXCLUDED.version
		WHERE rm_opportunities.version < EXCLUDED.version OR EXCLUDED.deleted AND rm_opportunities.version <= EXCLUDED.version`,
		gen, p.ID, p.Name, p.PipelineID, p.StageID, p.Status, amount.Minor, amount.Currency, amount.Exponent,
		p.Probability, p.ForecastCategory, p.OwnerID, p.TeamID, nullable(p.AccountID), nullable(p.PrimaryContactID),
		p.contacts(), nullable(p.CloseDate), p.CreatedAt, p.ClosedAt, deleted, p.Version)
	if err != nil {
		return fmt.Errorf("ingest: opportunity %s: %w", p.ID, err)
	}
	return nil
}
