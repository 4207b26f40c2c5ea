package ingest

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// salesHandlers apply the events of rapport.sales.v1, by type: leads,
// opportunities (with their stage moves), pipelines' stages and forecast
// overrides.
var salesHandlers = map[string]apply{
	typeLeadCreated:         applyLead,
	typeLeadUpdated:         applyLead,
	typeLeadConverted:       applyLead,
	typeLeadDeleted:         applyLead,
	typeLeadRestored:        applyLead,
	typeLeadAssigned:        applyLead,
	typeOpportunityCreated:  applyOpportunity,
	typeOpportunityUpdated:  applyOpportunity,
	typeOpportunityWon:      applyOpportunity,
	typeOpportunityLost:     applyOpportunity,
	typeOpportunityDeleted:  applyOpportunity,
	typeOpportunityRestored: applyOpportunity,
	typeStageChanged:        applyStageChanged,
	typePipelineCreated:     applyPipeline,
	typePipelineUpdated:     applyPipeline,
	typeForecastOverridden:  applyForecast,
}

// applyLead upserts the lead a lead.* event carries unless a newer version
// is stored (lead.deleted wins over the same version), and raises the
// funnel step it reached to what its status shows, whatever the version.
var applyLead = applyState(typeLeadDeleted, saveLead)

// applyOpportunity upserts the opportunity an opportunity.* event carries
// unless a newer version is stored (opportunity.deleted wins over the
// same version).
var applyOpportunity = applyState(typeOpportunityDeleted, saveOpportunity)

// applyStageChanged records the move (rm_stage_moves, keyed by the event,
// at the opportunity's updatedAt), upserts the opportunity it embeds —
// so that a move arriving before the opportunity's creation ends right —
// and learns the names and kinds of the stages it names.
func applyStageChanged(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p stageChangedPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := requireIDs(ev, "event id", ev.ID); err != nil {
		return err
	}
	if err := p.check(ev); err != nil {
		return err
	}
	if err := saveOpportunity(ctx, tx, gen, p.Opportunity, false); err != nil {
		return err
	}
	from := ""
	if p.From != nil {
		from = p.From.StageID
		if err := learnStage(ctx, tx, gen, *p.From); err != nil {
			return err
		}
	}
	if err := learnStage(ctx, tx, gen, p.To); err != nil {
		return err
	}
	return saveStageMove(ctx, tx, gen, ev.ID, p.Opportunity.ID, from, p.To.StageID, p.Opportunity.UpdatedAt)
}

// applyPipeline upserts the pipeline's stages with their positions unless
// a newer version of the pipeline is stored.
func applyPipeline(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p pipelinePayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := p.check(ev); err != nil {
		return err
	}
	return savePipeline(ctx, tx, gen, p)
}

// applyForecast keeps the newest override (by setAt) of an owner's or a
// team's category in a period.
func applyForecast(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	var p forecastPayload
	if err := decodePayload(ev, &p); err != nil {
		return err
	}
	if err := p.check(ev); err != nil {
		return err
	}
	return saveForecast(ctx, tx, gen, p)
}
