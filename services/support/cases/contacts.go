package cases

import (
	"context"
	"fmt"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// ContactsGroup is the consumer group in which the support service runs
// libs/contactevents' Handler over contacts' events, with References.
const ContactsGroup = "support-cases-contacts"

// References follows the contacts service's records that cases name (a
// contactevents.Referrer): a merged contact's or account's cases name the
// survivor; an erased contact's cases lose their contactId, and the
// customer's entries of their threads their author's email and name (the
// bodies stay: they are the case's record). Each change of a live case is
// its case.updated, in the consumer's transaction with its inbox row.
type References struct{}

// MergeContact implements contactevents.Referrer.
func (References) MergeContact(ctx context.Context, tx *outbox.Tx, winner, loser string) error {
	return repoint(ctx, tx, "contact_id", loser, winner)
}

// MergeAccount implements contactevents.Referrer.
func (References) MergeAccount(ctx context.Context, tx *outbox.Tx, winner, loser string) error {
	return repoint(ctx, tx, "account_id", loser, winner)
}

// EraseContact implements contactevents.Referrer.
func (References) EraseContact(ctx context.Context, tx *outbox.Tx, id string) error {
	if err := eraseAuthors(ctx, tx, id); err != nil {
		return err
	}
	return repoint(ctx, tx, "contact_id", id, "")
}

// repoint makes every case whose column (contact_id or account_id) names
// from name to instead ("" for none): a live case through ChangeIn, a
// deleted one silently.
func repoint(ctx context.Context, tx *outbox.Tx, column, from, to string) error {
	var live []string
	if err := tx.SQL().SelectContext(ctx, &live, "SELECT id FROM cases WHERE "+column+" = $1 AND deleted_at IS NULL ORDER BY id", from); err != nil {
		return fmt.Errorf("find cases of %s: %w", column, pg.MapError(err))
	}
	for _, id := range live {
		if _, err := ChangeIn(ctx, tx, id, func(c *Case) error {
			if column == "contact_id" {
				c.ContactID = to
			} else {
				c.AccountID = to
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE cases SET "+column+" = $2 WHERE "+column+" = $1 AND deleted_at IS NOT NULL",
		from, pgrecord.OrNull(to)); err != nil {
		return fmt.Errorf("repoint deleted cases: %w", pg.MapError(err))
	}
	return nil
}
