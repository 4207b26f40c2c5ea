package leads

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// convert writes the conversion of the lead id by p in one transaction of
// its tenant: it locks the lead, refuses one converted (or deleted, or out
// of p's scope) meanwhile, runs create (the opportunity's insert; nil for
// none), and writes the lead converted at now into what it became,
// publishing lead.updated with the changed fields and lead.converted.
func (s *Store) convert(ctx context.Context, p auth.Principal, id string, now time.Time, into *Conversion, create func(*outbox.Tx) error) (*Lead, error) {
	var out *Lead
	err := s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		old, err := get(ctx, tx, id, true)
		switch {
		case err != nil:
			return err
		case old.DeletedAt != nil || !deals.InScope(p, old.OwnerID, old.TeamID):
			return ErrNotFound
		case old.Status == StatusConverted:
			return alreadyConverted(old)
		}
		if create != nil {
			if err := create(tx); err != nil {
				return err
			}
		}
		next := *old
		next.Status, next.DisqualifiedReason = StatusConverted, ""
		next.ConvertedContactID, next.ConvertedAccountID, next.ConvertedOpportunityID = into.ContactID, into.AccountID, into.OpportunityID
		next.ConvertedAt, next.UpdatedAt, next.Version = &now, now, old.Version+1
		if err := save(ctx, tx, &next, false); err != nil {
			return err
		}
		changed, err := events.ChangedFields(old, &next)
		if err != nil {
			return err
		}
		if err := tx.Emit(ctx, pgstore.EntityLead, pgstore.VerbUpdated, id, &next, changed); err != nil {
			return err
		}
		out = &next
		return tx.Emit(ctx, pgstore.EntityLead, pgstore.VerbConverted, id, &next, nil)
	})
	return out, err
}
