package audience

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// setLatest sets the contact id's time column (one of the last_*_at
// facts) to at unless it holds a later time; changed reports whether it
// did.
func setLatest(ctx context.Context, tx *outbox.Tx, id, column string, at time.Time) (changed bool, err error) {
	res, err := tx.SQL().ExecContext(ctx, `UPDATE audience_contacts SET `+column+` = $2
		WHERE id = $1 AND (`+column+` IS NULL OR `+column+` < $2)`, id, at)
	if err != nil {
		return false, fmt.Errorf("keep a contact's marketing fact: %w", pg.MapError(err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// addCampaign adds the campaign to the contact id's campaigns; changed
// reports whether it was not there.
func addCampaign(ctx context.Context, tx *outbox.Tx, id, campaign string) (changed bool, err error) {
	res, err := tx.SQL().ExecContext(ctx, `UPDATE audience_contacts SET campaign_ids = array_append(campaign_ids, $2::uuid)
		WHERE id = $1 AND NOT ($2::uuid = ANY(campaign_ids))`, id, campaign)
	if err != nil {
		return false, fmt.Errorf("keep a contact's campaign: %w", pg.MapError(err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
