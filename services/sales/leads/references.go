package leads

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// References keeps leads true to the contacts service's merges and
// erasures (its events, which package contactevents consumes): the
// conversion links of a lead converted into a merged contact or account
// follow it to the one it was merged into, and a lead converted into an
// erased contact loses the person's data — names, job title, email,
// phone and custom field values; the company, the status and the links
// stay. Each lead changed is written as any change of it is (updateIn),
// deleted leads too, in the caller's transaction, publishing lead.updated
// with the fields it changed.
type References struct {
	now func() time.Time
}

// NewReferences returns the References of the tenant's leads.
func NewReferences() *References { return &References{now: time.Now} }

// MergeContact re-points the leads converted into the contact loser to
// winner.
func (r *References) MergeContact(ctx context.Context, tx *outbox.Tx, winner, loser string) error {
	return r.change(ctx, tx, "converted_contact_id", loser, func(l *Lead) { l.ConvertedContactID = winner })
}

// MergeAccount re-points the leads converted into the account loser to
// winner.
func (r *References) MergeAccount(ctx context.Context, tx *outbox.Tx, winner, loser string) error {
	return r.change(ctx, tx, "converted_account_id", loser, func(l *Lead) { l.ConvertedAccountID = winner })
}

// EraseContact erases the person's data from the leads converted into the
// contact id.
func (r *References) EraseContact(ctx context.Context, tx *outbox.Tx, id string) error {
	return r.change(ctx, tx, "converted_contact_id", id, func(l *Lead) {
		l.FirstName, l.LastName, l.Title, l.Email, l.Phone, l.PhoneE164 = "", "", "", "", "", ""
		l.CustomFields = customfields.Values{}
	})
}

// change applies edit to each lead, deleted or not, whose column (a
// conversion link) is id, one by one in id order; one that edit leaves as
// it was is not written.
func (r *References) change(ctx context.Context, tx *outbox.Tx, column, id string, edit func(*Lead)) error {
	var list []string
	if err := tx.SQL().SelectContext(ctx, &list, "SELECT id FROM leads WHERE "+column+" = $1 ORDER BY id", id); err != nil {
		return fmt.Errorf("leads converted into %s: %w", id, pg.MapError(err))
	}
	for _, lid := range list {
		_, _, err := updateIn(ctx, tx, lid, func(old *Lead, _ Fields) (*Lead, pgrecord.Change, error) {
			next := *old
			edit(&next)
			changed, err := events.ChangedFields(old, &next)
			if err != nil || len(changed) == 0 {
				return old, pgrecord.Change{}, err
			}
			next.UpdatedAt, next.Version = pg.Timestamp(r.now()), old.Version+1
			return &next, pgrecord.Change{Verb: pgstore.VerbUpdated, Fields: changed}, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
