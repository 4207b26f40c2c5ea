package timeline

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// Service is the API of timelines. The record is read as GET
// /v1/contacts/{id} reads it: deleted, outside the caller's record scope
// or of another tenant it is not found, and a merged one is a
// *customer.MergedError naming the record it ended up in. Its activities
// are those the caller may see (package activities' rule).
type Service interface {
	// Contact returns a page of the timeline of contact id, newest first.
	Contact(ctx context.Context, id string, q Query) (customer.Page[Entry], error)
	// Account returns a page of the timeline of account id, newest first.
	Account(ctx context.Context, id string, q Query) (customer.Page[Entry], error)
}

type service struct {
	db      *pgstore.DB
	cursors *kitx.Cursors
}

// NewService returns the Service on db, signing cursors with cursors.
func NewService(db *pgstore.DB, cursors *kitx.Cursors) Service {
	return &service{db: db, cursors: cursors}
}

// position is a place in a timeline: the record read, and the time and id
// of the last entry of a page.
type position struct {
	Record string    `json:"r"`
	At     time.Time `json:"t"`
	ID     string    `json:"i"`
}

// Contact implements Service.
func (s *service) Contact(ctx context.Context, id string, q Query) (customer.Page[Entry], error) {
	return s.timeline(ctx, pgstore.Contacts, id, q)
}

// Account implements Service.
func (s *service) Account(ctx context.Context, id string, q Query) (customer.Page[Entry], error) {
	return s.timeline(ctx, pgstore.Accounts, id, q)
}

// timeline reads a page of the timeline of record id of t: up to limit+1
// entries newest first from each source — the creations of the record and
// of those merged into it, their activities and their stored entries —
// merged, the first limit of them a page.
func (s *service) timeline(ctx context.Context, t *pgstore.Table, id string, q Query) (page customer.Page[Entry], err error) {
	p, err := customer.CallerOf(ctx, id, t.NotFound)
	if err != nil {
		return page, err
	}
	id = strings.ToLower(id)
	sel, err := selectTypes(q.Types)
	if err != nil {
		return page, err
	}
	var after *position
	if q.Cursor != "" {
		after = &position{}
		if err := s.cursors.DecodeCursor(q.Cursor, after); err != nil {
			return page, err
		}
		if after.Record != id {
			e := kitx.ErrBadCursor.WithDetail("the cursor is of another timeline")
			e.Fields = []errs.FieldError{{Field: "cursor", Reason: "is of another record's timeline; use a nextCursor of this one"}}
			return page, e
		}
	}
	limit := q.Limit
	if limit <= 0 || limit > kitx.MaxLimit {
		limit = kitx.DefaultLimit
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *pgstore.Tx) error {
		rec, err := pgstore.GetRecord(ctx, tx, t, id, false, pgstore.LiveConds(p)...)
		if errors.Is(err, t.NotFound) {
			return merged(ctx, tx, t, p, id, err)
		}
		if err != nil {
			return err
		}
		members, err := mergedInto(ctx, tx, t, id)
		if err != nil {
			return err
		}
		members = append([]member{{ID: id, CreatedAt: rec.Base().CreatedAt}}, members...)
		entries, err := s.read(ctx, tx, p, t, members, sel, after, limit+1)
		if err != nil {
			return err
		}
		if len(entries) > limit {
			entries = entries[:limit]
			last := entries[limit-1]
			page.NextCursor = s.cursors.EncodeCursor(position{Record: id, At: last.At, ID: last.ID})
		}
		page.Items = entries
		return nil
	})
	return page, err
}

// merged is the error of reading the timeline of id, which is not a live
// record p may see (notFound): a *customer.MergedError when it is a merged
// record p may see, notFound otherwise.
func merged(ctx context.Context, tx *pgstore.Tx, t *pgstore.Table, p auth.Principal, id string, notFound error) error {
	winner, err := pgstore.FinalWinner(ctx, tx, t, id, pgstore.InScope(p))
	if err != nil || winner == "" {
		return cmp.Or(err, notFound)
	}
	m := customer.ErrContactMerged
	if t == pgstore.Accounts {
		m = customer.ErrAccountMerged
	}
	return &customer.MergedError{Err: m, Entity: t.Entity, WinnerID: winner, Sub: "/timeline"}
}

// read returns up to n entries of the members' timelines after the
// position after (nil: from the newest) that sel selects, newest first.
func (s *service) read(ctx context.Context, tx *pgstore.Tx, p auth.Principal, t *pgstore.Table, members []member,
	sel selection, after *position, n int) ([]Entry, error) {
	var at *time.Time
	var afterID string
	if after != nil {
		at, afterID = &after.At, after.ID
	}
	entries := []Entry{}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.ID
		if sel.created && (after == nil || older(m.CreatedAt, m.ID, after)) {
			entries = append(entries, createdEntry(t, m))
		}
		if !sel.activities {
			continue
		}
		acts, err := activities.OfRecord(ctx, tx, p, t.Entity, m.ID, sel.activityTypes, at, afterID, n)
		if err != nil {
			return nil, err
		}
		for i := range acts {
			entries = append(entries, activityEntry(&acts[i], m.ID))
		}
	}
	if sel.stored {
		rows, err := storedEntries(ctx, tx, ids, sel.storedTypes, at, afterID, n)
		if err != nil {
			return nil, err
		}
		for i := range rows {
			e, err := storedEntry(t, &rows[i])
			if err != nil {
				return nil, err
			}
			entries = append(entries, e)
		}
	}
	slices.SortFunc(entries, func(a, b Entry) int {
		return cmp.Or(b.At.Compare(a.At), strings.Compare(b.ID, a.ID))
	})
	if len(entries) > n {
		entries = entries[:n]
	}
	return entries, nil
}

// older reports whether (at, id) comes after the position pos in a
// timeline's order, newest first.
func older(at time.Time, id string, pos *position) bool {
	return at.Before(pos.At) || at.Equal(pos.At) && id < pos.ID
}
