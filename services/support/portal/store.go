package portal

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// submissionsSince counts the cases the address email submitted since
// since.
func submissionsSince(ctx context.Context, tx *outbox.Tx, email string, since time.Time) (n int, err error) {
	if err := tx.SQL().GetContext(ctx, &n, `SELECT count(*) FROM portal_submissions WHERE email = $1 AND created_at > $2`,
		email, since); err != nil {
		return 0, fmt.Errorf("count portal submissions: %w", pg.MapError(err))
	}
	return n, nil
}

// recordSubmission records that email submitted the case caseID at at.
func recordSubmission(ctx context.Context, tx *outbox.Tx, id, email, caseID string, at time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO portal_submissions (tenant_id, id, email, case_id, created_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4)`, id, email, caseID, at); err != nil {
		return fmt.Errorf("record portal submission: %w", pg.MapError(err))
	}
	return nil
}
