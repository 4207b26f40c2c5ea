package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// saveStageMove records in gen the move of opportunity from stage from
// ("" none) to stage to at at, keyed by the event that made it: a
// redelivery changes nothing.
func saveStageMove(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, event, opportunity, from, to string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_stage_moves (tenant_id, gen, event_id, opportunity_id, from_stage_id,
			to_stage_id, at)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id, gen, event_id) DO NOTHING`, gen, event, opportunity, nullable(from), to, at)
	if err != nil {
		return fmt.Errorf("ingest: stage move %s: %w", event, err)
	}
	return nil
}

// learnStage records a stage a stage move names: its name and kind while
// no pipeline event has described it (version 0), never its position,
// which only pipeline events set (0 unknown).
func learnStage(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, s stagePayload) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_stages (tenant_id, gen, pipeline_id, stage_id, name, kind, position, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, 0, 0)
		ON CONFLICT (tenant_id, gen, pipeline_id, stage_id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind
		WHERE rm_stages.version = 0`, gen, s.PipelineID, s.StageID, s.Name, s.Kind)
	if err != nil {
		return fmt.Errorf("ingest: stage %s: %w", s.StageID, err)
	}
	return nil
}

// savePipeline upserts p's stages into gen's rm_stages with the
// pipeline's name and their positions (1, 2, … in p's order) unless a
// newer version of the pipeline is there. A stage no longer in the
// pipeline keeps its row: moves in and out of it stay named.
func savePipeline(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p pipelinePayload) error {
	for i, s := range p.Stages {
		_, err := tx.ExecContext(ctx, `INSERT INTO rm_stages (tenant_id, gen, pipeline_id, stage_id, pipeline, name, kind,
				position, version)
			VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (tenant_id, gen, pipeline_id, stage_id) DO UPDATE SET pipeline = EXCLUDED.pipeline,
				name = EXCLUDED.name, kind = EXCLUDED.kind, position = EXCLUDED.position, version = EXCLUDED.version
			WHERE rm_stages.version < EXCLUDED.version`, gen, p.ID, s.ID, p.Name, s.Name, s.Kind, i+1, p.Version)
		if err != nil {
			return fmt.Errorf("ingest: pipeline %s's stage %s: %w", p.ID, s.ID, err)
		}
	}
	return nil
}

// saveForecast keeps in gen's rm_forecasts the newest (by setAt) override
// of p's owner's category in p's period or, for a team's override (no
// owner, owner_id ”), of the team's.
func saveForecast(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p forecastPayload) error {
	key := "(tenant_id, gen, owner_id, period, category) WHERE owner_id <> ''"
	if p.OwnerID == "" {
		key = "(tenant_id, gen, team_id, period, category) WHERE owner_id = ''"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_forecasts (tenant_id, gen, owner_id, period, category, team_id,
			amount_minor, currency, exponent, set_at)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT `+key+` DO UPDATE SET team_id = EXCLUDED.team_id, amount_minor = EXCLUDED.amount_minor,
			currency = EXCLUDED.currency, exponent = EXCLUDED.exponent, set_at = EXCLUDED.set_at
		WHERE rm_forecasts.set_at < EXCLUDED.set_at`,
		gen, p.OwnerID, p.Period, p.Category, p.TeamID, p.Amount.Minor, p.Amount.Currency, p.Amount.Exponent, p.SetAt)
	if err != nil {
		return fmt.Errorf("ingest: forecast override %s %s: %w", p.Period, p.Category, err)
	}
	return nil
}
