package activities

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// dueTenants returns up to max tenants with reminders due by now, the one
// with the oldest due reminder first (due_reminder_tenants, migration
// 0016, reads every tenant's schedule as its owner).
func dueTenants(ctx context.Context, db *pgstore.DB, max int) ([]string, error) {
	var tenants []string
	if err := db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM due_reminder_tenants($1)", max); err != nil {
		return nil, fmt.Errorf("find due reminders: %w", pg.MapError(err))
	}
	return tenants, nil
}

// claimDue marks up to n of the transaction's tenant's reminders due by now
// fired, oldest first, skipping those another transaction holds, and
// returns their activities. The marks are undone if the transaction is.
func claimDue(ctx context.Context, tx *pgstore.Tx, n int) ([]Activity, error) {
	return queryActivities(ctx, tx, claimSQL, n)
}

// claimSQL is claimDue's statement, $1 the most it claims.
var claimSQL = `WITH due AS (
			SELECT activity_id FROM reminders WHERE fired_at IS NULL AND due_at <= now()
			ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED
		), fired AS (
			UPDATE reminders r SET fired_at = now() FROM due
			WHERE r.tenant_id = ` + pgstore.CurrentTenant + ` AND r.activity_id = due.activity_id
			RETURNING r.activity_id
		)
		SELECT ` + prefixed("a.") + ` FROM fired f JOIN activities a ON a.tenant_id = ` + pgstore.CurrentTenant + ` AND a.id = f.activity_id
		ORDER BY a.reminder_at, a.id`
