package timeline

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// foreignEntry is an entry of another service's event, as recordForeign
// stores it for one record.
type foreignEntry struct {
	ID, Type, Summary string
	At                time.Time
	Details           storedDetails
}

// recordForeign adds e to the timeline of the record id of t and moves the
// lastActivityAt of the record — of the one it was merged into, if it was
// — forward to touch (never back). It returns false, writing nothing,
// when the tenant has no such record. The entry of an erased contact
// (package privacy) keeps only its label, as its erasure left the others.
func recordForeign(ctx context.Context, tx *pgstore.Tx, t *pgstore.Table, id string, e foreignEntry, touch time.Time) (bool, error) {
	var rec struct {
		MergedInto *string `db:"merged_into"`
		Erased     bool    `db:"erased"`
	}
	erased := "false"
	if t == pgstore.Contacts {
		erased = "erased_at IS NOT NULL"
	}
	err := tx.SQL().GetContext(ctx, &rec, "SELECT merged_into, "+erased+" AS erased FROM "+t.Name+" WHERE id = $1", id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("timeline: read %s %s: %w", t.Entity, id, pg.MapError(err))
	}
	mergedInto := rec.MergedInto
	if rec.Erased {
		e.Summary = foreignLabels[e.Type]
	}
	details, err := json.Marshal(e.Details)
	if err != nil {
		return false, err
	}
	_, err = tx.SQL().ExecContext(ctx, `INSERT INTO timeline_entries (tenant_id, record_id, at, id, entity, type, summary, details)
		VALUES (`+pgstore.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		id, e.At, e.ID, t.Entity, e.Type, e.Summary, string(details))
	if err != nil {
		return false, fmt.Errorf("timeline: add entry: %w", pg.MapError(err))
	}
	target := id
	if mergedInto != nil {
		winner, err := pgstore.FinalWinner(ctx, tx, t, id, nil)
		if err != nil {
			return false, err
		}
		target = cmp.Or(winner, id)
	}
	_, err = tx.SQL().ExecContext(ctx, `UPDATE `+t.Name+` SET last_activity_at = $2
		WHERE id = $1 AND (last_activity_at IS NULL OR last_activity_at < $2)`, target, touch)
	if err != nil {
		return false, fmt.Errorf("timeline: touch %s: %w", t.Entity, pg.MapError(err))
	}
	return true, nil
}
