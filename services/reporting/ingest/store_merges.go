package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// saveMerge records in gen that loser (a contact, account or case: kind)
// was merged into winner at at, keeping every row's winner final in any
// order of arrival: a merge into a loser goes on to that loser's winner,
// and the rows whose winner is loser are repointed to the final winner. A
// redelivered merge changes nothing.
func saveMerge(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, kind, loser, winner string, at time.Time) error {
	var final string
	err := tx.GetContext(ctx, &final, `SELECT coalesce((SELECT winner_id::text FROM rm_merges
		WHERE gen = $1 AND kind = $2 AND loser_id = $3), $3::text)`, gen, kind, winner)
	if err != nil {
		return fmt.Errorf("ingest: %s merge's winner: %w", kind, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO rm_merges (tenant_id, gen, kind, loser_id, winner_id, at)
		VALUES (current_setting('app.tenant_id')::uuid, $1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, gen, kind, loser_id) DO UPDATE SET winner_id = EXCLUDED.winner_id, at = EXCLUDED.at
		WHERE rm_merges.at < EXCLUDED.at`, gen, kind, loser, final, at); err != nil {
		return fmt.Errorf("ingest: %s merge: %w", kind, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE rm_merges SET winner_id = $4
		WHERE gen = $1 AND kind = $2 AND winner_id = $3`, gen, kind, loser, final); err != nil {
		return fmt.Errorf("ingest: %s merge's earlier losers: %w", kind, err)
	}
	return nil
}
