package privacy

import (
	"context"
	"errors"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/importjob"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/records"
	"github.com/rapport-crm/rapport/services/contacts/timeline"
)

// Service is the API of a person's data. Both operations read the contact
// as the caller may see it, live or deleted (its data is held either way):
// outside the caller's record scope or tenant it is not found, and a
// contact merged into another is a *customer.MergedError naming the one it
// ended up in, whose data holds its own. What hangs under the contact —
// the activities naming the person, whoever they belong to — is the
// person's whatever the caller's scope for activities: an export must be
// whole, and an erasure too.
type Service interface {
	// Export returns everything the service holds about contact id.
	Export(ctx context.Context, id string) (*PersonalData, error)
	// Erase anonymises contact id and what names the person, checking
	// ifMatch (its version) unless it is 0, and returns the erasure. An
	// erased contact cannot be erased again (customer.ErrContactErased).
	Erase(ctx context.Context, id string, ifMatch int64, req EraseRequest) (*Erasure, error)
}

type service struct {
	db  *pgstore.DB
	now func() time.Time
}

// NewService returns the Service on db.
func NewService(db *pgstore.DB) Service {
	return &service{db: db, now: time.Now}
}

// Export implements Service.
func (s *service) Export(ctx context.Context, id string) (*PersonalData, error) {
	p, err := customer.CallerOf(ctx, id, customer.ErrContactNotFound)
	if err != nil {
		return nil, err
	}
	out := &PersonalData{ExportedAt: pg.Timestamp(s.now()).UTC()}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		c, merges, losers, err := readPerson(ctx, tx, p, id, false)
		if err != nil {
			return err
		}
		all := append([]*customer.Contact{c}, losers...)
		if err := presentAll(ctx, tx, all); err != nil {
			return err
		}
		out.Contact, out.HiddenCustomFields = c, hidden(c)
		out.MergedContacts = make([]MergedContact, len(losers))
		for i, l := range losers {
			out.MergedContacts[i] = MergedContact{Contact: *l, MergedInto: merges[i].Into, HiddenCustomFields: hidden(l)}
		}
		who := personOf(all)
		if out.Activities, err = activities.Naming(ctx, tx, who.contacts, who.emails, who.phones, false); err != nil {
			return err
		}
		if out.ConsentHistory, err = records.ConsentHistoryOf(ctx, tx, id); err != nil {
			return err
		}
		if out.Imports, err = importjob.ProvenanceOf(ctx, tx.SQL(), who.contacts); err != nil {
			return err
		}
		if out.Timeline, err = timeline.ForeignOf(ctx, tx, who.contacts); err != nil {
			return err
		}
		out.Erasure, err = getErasure(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, s.followMerge(ctx, p, id, "/personal-data", err)
	}
	return out, nil
}

// readPerson reads, locked when lock, the contact id that p may see (live
// or deleted, not merged) and the contacts merged into it, with their
// merges.
func readPerson(ctx context.Context, tx *pgstore.Tx, p auth.Principal, id string, lock bool) (*customer.Contact, []merge, []*customer.Contact, error) {
	conds := append(pgstore.InScope(p), pgstore.Cond{SQL: "merged_into IS NULL"})
	rec, err := pgstore.GetRecord(ctx, tx, pgstore.Contacts, id, lock, conds...)
	if err != nil {
		return nil, nil, nil, err
	}
	merges, err := mergedInto(ctx, tx, id)
	if err != nil {
		return nil, nil, nil, err
	}
	ids := make([]string, len(merges))
	for i, m := range merges {
		ids[i] = m.ID
	}
	losers, err := getContacts(ctx, tx, ids, lock)
	if err != nil {
		return nil, nil, nil, err
	}
	return rec.(*customer.Contact), merges, losers, nil
}

// presentAll fills the API view of cs: tag names and custom fields.
func presentAll(ctx context.Context, tx *pgstore.Tx, cs []*customer.Contact) error {
	recs := make([]customer.Record, len(cs))
	for i, c := range cs {
		recs[i] = c
	}
	return catalog.Present(ctx, tx, customer.EntityContact, recs...)
}

// hidden returns the custom field values c holds that its API view does
// not show (their definitions were deleted or changed).
func hidden(c *customer.Contact) map[string]any {
	out := map[string]any{}
	for key, val := range c.StoredFields {
		if _, shown := c.CustomFields[key]; !shown {
			out[key] = val
		}
	}
	return out
}

// followMerge turns err, the not-found of reading contact id, into a
// *customer.MergedError (whose redirect keeps sub) when id is a contact p
// may see that was merged into another; other errors pass.
func (s *service) followMerge(ctx context.Context, p auth.Principal, id, sub string, err error) error {
	if !errors.Is(err, customer.ErrContactNotFound) {
		return err
	}
	var winner string
	if terr := s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) (e error) {
		winner, e = pgstore.FinalWinner(ctx, tx, pgstore.Contacts, id, pgstore.InScope(p))
		return e
	}); terr != nil {
		return terr
	}
	if winner == "" {
		return err
	}
	return &customer.MergedError{Err: customer.ErrContactMerged, Entity: customer.EntityContact, WinnerID: winner, Sub: sub}
}
