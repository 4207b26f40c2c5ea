package records

import (
	"context"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

const consentColumns = "id, contact_id, channel, status, previous_status, consent_at, source, cause, changed_by, changed_at"

// insertConsentChanges adds changes to the consent history.
func insertConsentChanges(ctx context.Context, tx *pgstore.Tx, changes []ConsentChange) error {
	q := "INSERT INTO consent_history (tenant_id, " + consentColumns + ") VALUES (" + pgstore.CurrentTenant + ", :" +
		strings.ReplaceAll(consentColumns, ", ", ", :") + ")"
	for _, c := range changes {
		if _, err := tx.SQL().NamedExecContext(ctx, q, c); err != nil {
			return fmt.Errorf("insert consent change: %w", pg.MapError(err))
		}
	}
	return nil
}

// listConsentHistory returns up to limit entries of the consent history of
// contact id and of the contacts merged into it (following merges of
// merges), of channel ("" for all), after the position after (nil: from the
// start), newest first.
func listConsentHistory(ctx context.Context, tx *pgstore.Tx, id, channel string, after *consentPosition, limit int) ([]ConsentChange, error) {
	args := []any{id}
	on := "h.contact_id = m.id"
	if channel != "" {
		args = append(args, channel)
		on += fmt.Sprintf(" AND h.channel = $%d", len(args))
	}
	if after != nil {
		args = append(args, after.At, after.ID)
		on += fmt.Sprintf(" AND (h.changed_at, h.id) < ($%d, $%d::uuid)", len(args)-1, len(args))
	}
	q := fmt.Sprintf(`WITH RECURSIVE merged(id, depth) AS (
			SELECT $1::uuid, 1
			UNION ALL
			SELECT c.id, m.depth + 1 FROM merged m JOIN contacts c ON c.merged_into = m.id
			WHERE c.merged_into IS NOT NULL AND m.depth < %d
		)
		SELECT h.%s FROM merged m JOIN consent_history h ON %s
		ORDER BY h.changed_at DESC, h.id DESC LIMIT %d`,
		pgstore.MaxMergeChain, strings.ReplaceAll(consentColumns, ", ", ", h."), on, limit)
	out := []ConsentChange{}
	if err := tx.SQL().SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("list consent history: %w", pg.MapError(err))
	}
	return out, nil
}
