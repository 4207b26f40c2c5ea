package deals

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// References keeps what opportunities name of the contacts service's
// records true to that service's merges and erasures (its events, which
// package contactevents consumes): a merged contact or account is
// re-pointed to the one it was merged into, and an erased contact is
// removed from the opportunities naming it, which stay. Each opportunity
// changed is written as any change of it is (UpdateOpportunity) in the
// caller's transaction and publishes opportunity.updated with the fields
// it changed. Deleted opportunities are changed too, so that a restored
// one names neither a tombstone nor an erased person.
type References struct {
	now func() time.Time
}

// NewReferences returns the References of the tenant's opportunities.
func NewReferences() *References { return &References{now: time.Now} }

// MergeContact re-points the opportunities naming the contact loser to
// winner: as their primary contact, and in their contact roles, where the
// loser's role goes when the winner has one of its own.
func (r *References) MergeContact(ctx context.Context, tx *outbox.Tx, winner, loser string) error {
	list, err := naming(ctx, tx, namingContact, loser, contactRole(loser))
	if err != nil {
		return err
	}
	return r.change(ctx, tx, list, func(o *Opportunity) {
		if o.PrimaryContactID == loser {
			o.PrimaryContactID = winner
		}
		o.ContactRoles = repointRoles(o.ContactRoles, winner, loser)
	})
}

// MergeAccount re-points the opportunities of the account loser to winner.
func (r *References) MergeAccount(ctx context.Context, tx *outbox.Tx, winner, loser string) error {
	list, err := naming(ctx, tx, namingAccount, loser)
	if err != nil {
		return err
	}
	return r.change(ctx, tx, list, func(o *Opportunity) {
		if o.AccountID == loser {
			o.AccountID = winner
		}
	})
}

// EraseContact removes the contact id from the opportunities naming it, as
// their primary contact and from their contact roles.
func (r *References) EraseContact(ctx context.Context, tx *outbox.Tx, id string) error {
	list, err := naming(ctx, tx, namingContact, id, contactRole(id))
	if err != nil {
		return err
	}
	return r.change(ctx, tx, list, func(o *Opportunity) {
		if o.PrimaryContactID == id {
			o.PrimaryContactID = ""
		}
		o.ContactRoles = slices.DeleteFunc(o.ContactRoles, func(c ContactRole) bool { return c.ContactID == id })
	})
}

// change applies edit to each opportunity of list, one by one in its
// order, each locked, written and published as UpdateOpportunity does;
// one that edit leaves as it was is not written.
func (r *References) change(ctx context.Context, tx *outbox.Tx, list []string, edit func(*Opportunity)) error {
	for _, oid := range list {
		_, _, err := updateOpportunityIn(ctx, tx, oid, func(_ *outbox.Tx, old *Opportunity) (*Opportunity, OpportunityChange, error) {
			next := *old
			next.ContactRoles = slices.Clone(old.ContactRoles)
			edit(&next)
			changed, err := events.ChangedFields(old, &next)
			if err != nil || len(changed) == 0 {
				return old, OpportunityChange{}, err
			}
			next.UpdatedAt, next.Version = pg.Timestamp(r.now()), old.Version+1
			return &next, OpportunityChange{Verb: pgstore.VerbUpdated, Fields: changed}, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// repointRoles returns roles with the loser's role the winner's, or
// without it when the winner has a role of its own.
func repointRoles(roles []ContactRole, winner, loser string) []ContactRole {
	has := slices.ContainsFunc(roles, func(c ContactRole) bool { return c.ContactID == winner })
	out := roles[:0]
	for _, c := range roles {
		if c.ContactID == loser {
			if has {
				continue
			}
			c.ContactID, has = winner, true
		}
		out = append(out, c)
	}
	return out
}

// The queries of the ids of the opportunities, deleted ones too, naming
// a contact, as primary contact or in a role ($1 its id, $2 contactRole of
// it), or an account ($1), in id order; the indexes of
// 0016_contact_references.sql find them.
const (
	namingContact = `SELECT id FROM opportunities WHERE primary_contact_id = $1 OR contact_roles @> $2::jsonb ORDER BY id`
	namingAccount = `SELECT id FROM opportunities WHERE account_id = $1 ORDER BY id`
)

// contactRole is what contact_roles contains when it holds a role of the
// contact id.
func contactRole(id string) string {
	b, _ := json.Marshal([]map[string]string{{"contactId": id}}) // a map of strings always encodes
	return string(b)
}

// naming returns the ids query finds with args.
func naming(ctx context.Context, tx *outbox.Tx, query string, args ...any) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, query, args...); err != nil {
		return nil, fmt.Errorf("find the opportunities naming %v: %w", args[0], pg.MapError(err))
	}
	return out, nil
}
