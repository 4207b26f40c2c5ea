package surveys

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// ContactsGroup is the consumer group in which the support service runs
// libs/contactevents' Handler over contacts' events with References.
const ContactsGroup = "support-surveys-contacts"

// References follows the contacts that surveys name (a
// contactevents.Referrer): a merged contact's surveys name the survivor;
// an erased contact's surveys not sent yet go, and the others lose their
// address, name and comment (their scores stay in the results).
type References struct{}

// MergeContact implements contactevents.Referrer.
func (References) MergeContact(ctx context.Context, tx *outbox.Tx, winner, loser string) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE surveys SET contact_id = $1 WHERE contact_id = $2`, winner, loser); err != nil {
		return fmt.Errorf("repoint surveys: %w", pg.MapError(err))
	}
	return nil
}

// MergeAccount implements contactevents.Referrer: surveys name no
// account.
func (References) MergeAccount(context.Context, *outbox.Tx, string, string) error { return nil }

// EraseContact implements contactevents.Referrer.
func (References) EraseContact(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM surveys WHERE contact_id = $1 AND status = 'pending'`, id); err != nil {
		return fmt.Errorf("erase surveys: %w", pg.MapError(err))
	}
	_, err := tx.SQL().ExecContext(ctx, `UPDATE surveys SET address = '', name = '', comment = '', contact_id = NULL WHERE contact_id = $1`, id)
	if err != nil {
		return fmt.Errorf("erase surveys: %w", pg.MapError(err))
	}
	return nil
}
