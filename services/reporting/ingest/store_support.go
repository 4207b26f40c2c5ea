package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// saveCase upserts p into gen's rm_cases unless a newer version is there;
// deleted (case.deleted, which carries the last version) wins over the
// same version.
func saveCase(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p casePayload, deleted bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_cases (tenant_id, gen, id, number, channel, queue_id, priority, type, status,
			assignee_id, contact_id, account_id, created_at, solved_at, closed_at, merged_into, deleted, version)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (tenant_id, gen, id) DO UPDATE SET number = EXCLUDED.number, channel = EXCLUDED.channel,
			queue_id = EXCLUDED.queue_id, priority = EXCLUDED.priority, type = EXCLUDED.type, status = EXCLUDED.status,
			assignee_id = EXCLUDED.assignee_id, contact_id = EXCLUDED.contact_id, account_id = EXCLUDED.account_id,
			created_at = EXCLUDED.created_at, solved_at = EXCLUDED.solved_at, closed_at = EXCLUDED.closed_at,
			merged_into = EXCLUDED.merged_into, deleted = EXCLUDED.deleted, version = EXCLUDED.version
		WHERE rm_cases.version < EXCLUDED.version OR EXCLUDED.deleted AND rm_cases.version <= EXCLUDED.version`,
		gen, p.ID, p.Number, p.Channel, p.QueueID, p.Priority, p.Type, p.Status,
		p.AssigneeID, nullable(p.ContactID), nullable(p.AccountID), p.CreatedAt, p.SolvedAt, p.ClosedAt,
		nullable(p.MergedInto), deleted, p.Version)
	if err != nil {
		return fmt.Errorf("ingest: case %s: %w", p.ID, err)
	}
	return nil
}

// saveFirstResponse keeps at as caseID's first response in gen unless an
// earlier one is there.
func saveFirstResponse(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, caseID string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_case_responses (tenant_id, gen, case_id, first_response_at)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3)
		ON CONFLICT (tenant_id, gen, case_id) DO UPDATE
		SET first_response_at = LEAST(rm_case_responses.first_response_at, EXCLUDED.first_response_at)`, gen, caseID, at)
	if err != nil {
		return fmt.Errorf("ingest: first response of case %s: %w", caseID, err)
	}
	return nil
}

// saveBreach records in gen that p's case breached its target; of several
// runs of one target's clock the earliest due time is kept.
func saveBreach(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p breachPayload) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_case_breaches (tenant_id, gen, case_id, target, due_at)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4)
		ON CONFLICT (tenant_id, gen, case_id, target) DO UPDATE
		SET due_at = LEAST(rm_case_breaches.due_at, EXCLUDED.due_at)`, gen, p.CaseID, p.Target, p.DueAt)
	if err != nil {
		return fmt.Errorf("ingest: breach of case %s: %w", p.CaseID, err)
	}
	return nil
}

// saveSurvey records the answered survey p in gen; a survey is answered
// once, so a redelivery changes nothing.
func saveSurvey(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, p surveyPayload) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rm_surveys (tenant_id, gen, id, kind, score, case_id, queue_id, agent_id, contact_id, answered_at)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (tenant_id, gen, id) DO NOTHING`,
		gen, p.ID, p.Kind, p.Score, nullable(p.CaseID), p.QueueID, p.AgentID, nullable(p.ContactID), p.AnsweredAt)
	if err != nil {
		return fmt.Errorf("ingest: survey %s: %w", p.ID, err)
	}
	return nil
}
