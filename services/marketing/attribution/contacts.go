package attribution

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// ContactsGroup is the consumer group of References' handler
// (contactevents.Handler) on contacts' topic.
const ContactsGroup = "marketing-attribution-contacts"

// References follows contacts' merges and erasures
// (contactevents.Referrer): a merged-away contact's touches become its
// winner's, an erased contact's touches are deleted, and the won
// opportunities either named are credited again.
type References struct{}

// MergeContact moves the touches of loser to winner, and names winner
// instead of loser in the opportunities (until sales' next event of
// each), then credits them again.
func (References) MergeContact(ctx context.Context, tx *outbox.Tx, winner, loser string) error {
	if err := lockTenant(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE attribution_touches SET contact_id = $1 WHERE contact_id = $2", winner, loser); err != nil {
		return fmt.Errorf("merge touches: %w", pg.MapError(err))
	}
	return recreditContact(ctx, tx, `UPDATE attribution_opportunities SET contact_ids = CASE WHEN contact_ids @> ARRAY[$1::uuid]
		THEN array_remove(contact_ids, $2::uuid) ELSE array_replace(contact_ids, $2::uuid, $1::uuid) END
		WHERE contact_ids && ARRAY[$1::uuid, $2::uuid] RETURNING id`, winner, loser)
}

// MergeAccount does nothing: attribution names no account.
func (References) MergeAccount(context.Context, *outbox.Tx, string, string) error { return nil }

// EraseContact deletes the touches of the contact id and takes it out of
// the opportunities, then credits them again.
func (References) EraseContact(ctx context.Context, tx *outbox.Tx, id string) error {
	if err := lockTenant(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM attribution_touches WHERE contact_id = $1", id); err != nil {
		return fmt.Errorf("erase touches: %w", pg.MapError(err))
	}
	return recreditContact(ctx, tx, `UPDATE attribution_opportunities SET contact_ids = array_remove(contact_ids, $1::uuid)
		WHERE contact_ids @> ARRAY[$1::uuid] RETURNING id`, id)
}

// recreditContact runs update, which changes the opportunities of a
// contact and returns their ids, and credits each again.
func recreditContact(ctx context.Context, tx *outbox.Tx, update string, args ...any) error {
	var changed []string
	if err := tx.SQL().SelectContext(ctx, &changed, update, args...); err != nil {
		return fmt.Errorf("update the opportunities of a contact: %w", pg.MapError(err))
	}
	return recredit(ctx, tx, changed)
}
