package duplicates

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/contacts/catalog"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/records"
)

// mergedEvent is the payload of a merged event.
type mergedEvent struct {
	Winner       customer.Record `json:"winner"`
	LoserID      string          `json:"loserId"`
	MergedFields []string        `json:"mergedFields"`
}

// MergeContacts implements Service.
func (s *service) MergeContacts(ctx context.Context, winnerID string, ifMatch int64, req MergeRequest) (*customer.Contact, error) {
	rec, err := s.merge(ctx, pgstore.Contacts, winnerID, ifMatch, req)
	c, _ := rec.(*customer.Contact)
	return c, err
}

// MergeAccounts implements Service.
func (s *service) MergeAccounts(ctx context.Context, winnerID string, ifMatch int64, req MergeRequest) (*customer.Account, error) {
	rec, err := s.merge(ctx, pgstore.Accounts, winnerID, ifMatch, req)
	a, _ := rec.(*customer.Account)
	return a, err
}

// checkMergeRequest validates the loser id and the field choices.
func checkMergeRequest(k *pgstore.Table, req MergeRequest) error {
	v := errs.NewValidator()
	v.Check(ids.Valid(req.LoserID), "loserId", "must be a UUID")
	for _, f := range slices.Sorted(maps.Keys(req.Fields)) {
		key, custom := strings.CutPrefix(f, customfields.Prefix)
		v.Check(custom && key != "" || slices.Contains(mergeableFields[k.Entity], f), "fields/"+f,
			"is not a field a merge can choose: one of "+strings.Join(mergeableFields[k.Entity], ", ")+" or customFields.<key>")
		v.Check(req.Fields[f] == KeepWinner || req.Fields[f] == KeepLoser, "fields/"+f, "must be winner or loser")
	}
	return v.Err()
}

// merge merges req.LoserID into winnerID in one transaction: the winner takes
// the chosen fields and the unions, the loser becomes a tombstone, an
// account's contacts and child accounts move to the winner, and one merged
// event carries the winner's new state.
func (s *service) merge(ctx context.Context, k *pgstore.Table, winnerID string, ifMatch int64, req MergeRequest) (rec customer.Record, err error) {
	p, err := customer.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if !ids.Valid(winnerID) {
		return nil, k.NotFound
	}
	if err := checkMergeRequest(k, req); err != nil {
		return nil, err
	}
	winnerID, req.LoserID = strings.ToLower(winnerID), strings.ToLower(req.LoserID)
	if winnerID == req.LoserID {
		return nil, ErrMergeSelf
	}
	if ifMatch == 0 {
		return nil, customer.ErrIfMatchRequired
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		winner, loser, err := lockMergePair(ctx, tx, k, p, winnerID, req.LoserID)
		if err != nil {
			return err
		}
		if winner.Base().Version != ifMatch {
			return customer.ErrVersionMismatch
		}
		if err := catalog.Present(ctx, tx, k.Entity, winner, loser); err != nil {
			return err
		}
		if rec, err = combine(k, winner, loser, req.Fields); err != nil {
			return err
		}
		now := s.timestamp()
		m, wm := rec.Base(), winner.Base()
		m.ID, m.CreatedAt, m.UpdatedAt, m.Version = wm.ID, wm.CreatedAt, now, wm.Version+1
		lm := loser.Base()
		lm.DeletedAt, lm.UpdatedAt, lm.Version = &now, now, lm.Version+1
		if err := pgstore.UpdateRecord(ctx, tx, k, loser); err != nil {
			return err
		}
		if err := setMergedInto(ctx, tx, k, lm.ID, wm.ID); err != nil {
			return err
		}
		if k == pgstore.Accounts {
			if err := repoint(ctx, tx, lm.ID, wm.ID, now); err != nil {
				return err
			}
		}
		defs, err := records.Prepare(ctx, tx, k, p, rec, wm.StoredFields)
		if err != nil {
			return err
		}
		if err := catalog.PresentWith(ctx, tx, defs, rec); err != nil {
			return err
		}
		merged, err := events.ChangedFields(winner, rec)
		if err != nil {
			return err
		}
		if err := pgstore.UpdateRecord(ctx, tx, k, rec); err != nil {
			return err
		}
		if err := records.RecordConsent(ctx, tx, p, winner, rec, records.ConsentMerged); err != nil {
			return err
		}
		return tx.Emit(ctx, k.Entity, customer.VerbMerged, wm.ID, mergedEvent{Winner: rec, LoserID: lm.ID, MergedFields: merged}, nil)
	})
	return rec, err
}

// lockMergePair reads and locks, in id order, the live winner and the loser
// p may see. A loser merged before is ErrAlreadyMerged; a deleted one is not
// found; an erased contact, winner or loser, is customer.ErrContactErased.
func lockMergePair(ctx context.Context, tx *pgstore.Tx, k *pgstore.Table, p auth.Principal, winnerID, loserID string) (winner, loser customer.Record, err error) {
	pair := []string{winnerID, loserID}
	slices.Sort(pair)
	for _, id := range pair {
		rec, err := pgstore.GetRecord(ctx, tx, k, id, true, pgstore.InScope(p)...)
		if err != nil {
			return nil, nil, err
		}
		if id == winnerID {
			winner = rec
		} else {
			loser = rec
		}
	}
	for _, rec := range []customer.Record{winner, loser} {
		if c, ok := rec.(*customer.Contact); ok && c.ErasedAt != nil {
			return nil, nil, customer.ErrContactErased
		}
	}
	if winner.Base().DeletedAt != nil {
		return nil, nil, k.NotFound
	}
	if loser.Base().DeletedAt != nil {
		into, err := pgstore.FinalWinner(ctx, tx, k, loserID, nil)
		if err != nil {
			return nil, nil, err
		}
		if into != "" {
			return nil, nil, ErrAlreadyMerged
		}
		return nil, nil, k.NotFound
	}
	return winner, loser, nil
}

// repoint moves the contacts and child accounts of the merged account from
// to the winner to, emitting contact.updated (changed accountId) and
// account.updated (changed parentAccountId) for each. It ignores the
// caller's scope: no record may point at a tombstone.
func repoint(ctx context.Context, tx *pgstore.Tx, from, to string, now time.Time) error {
	for _, r := range []struct {
		k     *pgstore.Table
		field string
	}{{pgstore.Contacts, "accountId"}, {pgstore.Accounts, "parentAccountId"}} {
		moved, err := repointRecords(ctx, tx, r.k, from, to, now)
		if err != nil {
			return err
		}
		if len(moved) == 0 {
			continue
		}
		if err := catalog.Present(ctx, tx, r.k.Entity, moved...); err != nil {
			return err
		}
		if err := tx.EmitAll(ctx, r.k.Entity, customer.VerbUpdated, moved, []string{r.field}); err != nil {
			return err
		}
	}
	return nil
}
