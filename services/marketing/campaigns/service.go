package campaigns

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// Page is a page of campaigns; NextCursor, when set, reads the next.
type Page struct {
	Items      []Campaign `json:"items"`
	NextCursor string     `json:"nextCursor,omitempty"`
}

// Service is the API of campaigns and their members; each change is
// published (campaign.*, campaign_member.*).
type Service struct {
	db      *outbox.DB
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on db, paging lists with cursors.
func NewService(db *outbox.DB, cursors *kitx.Cursors) *Service {
	return &Service{db: db, cursors: cursors, now: time.Now}
}

// List returns a page of up to limit campaigns f selects, newest first,
// after cursor ("" from the first).
func (s *Service) List(ctx context.Context, f Filter, cursor string, limit int) (Page, error) {
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) (out []Campaign, err error) {
		err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
			out, err = listCampaigns(ctx, tx, f, after, n)
			return err
		})
		return out, err
	}, func(c Campaign) string { return c.ID })
	if items == nil {
		items = []Campaign{}
	}
	return Page{Items: items, NextCursor: next}, err
}

// Children returns a page of the campaigns whose parent is id.
func (s *Service) Children(ctx context.Context, id, cursor string, limit int) (Page, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return Page{}, err
	}
	return s.List(ctx, Filter{ParentID: id}, cursor, limit)
}

// Get returns the campaign id with its members per status.
func (s *Service) Get(ctx context.Context, id string) (out View, err error) {
	if !ids.Valid(id) {
		return out, ErrNotFound
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		if out.Campaign, err = getCampaign(ctx, tx, id, false); err != nil {
			return err
		}
		out.MemberCounts, err = memberCounts(ctx, tx, id)
		return err
	})
	return out, err
}

// Create stores a new campaign made by the caller (its owner unless it
// names another) and publishes campaign.created.
func (s *Service) Create(ctx context.Context, in Campaign) (View, error) {
	in.ID = ids.New()
	if err := in.normalize(); err != nil {
		return View{}, err
	}
	err := s.db.InCallerTx(ctx, func(p auth.Principal, tx *outbox.Tx) error {
		if err := checkParent(ctx, tx, in); err != nil {
			return err
		}
		now := pg.Timestamp(s.now()).UTC()
		in.CreatedBy, in.CreatedAt, in.UpdatedAt, in.Version = p.UserID, now, now, 1
		if in.OwnerID == "" {
			in.OwnerID = p.UserID
		}
		if err := saveCampaign(ctx, tx, in, true); err != nil {
			return err
		}
		return tx.Emit(ctx, marketingdb.EntityCampaign, marketingdb.VerbCreated, in.ID, in, nil)
	})
	return View{Campaign: in, MemberCounts: emptyCounts()}, err
}

// Update applies a merge patch to the campaign id at version ifMatch and
// publishes campaign.updated with the fields it changed.
func (s *Service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (out View, changed []string, err error) {
	if !ids.Valid(id) {
		return out, nil, ErrNotFound
	}
	if ifMatch == 0 {
		return out, nil, ErrIfMatchRequired
	}
	err = s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		c, ch, err := pgrecord.UpdateIn(ctx, tx, id, s.rows(), func(cur Campaign) (Campaign, pgrecord.Change, error) {
			if cur.Version != ifMatch {
				return cur, pgrecord.Change{}, ErrVersionMismatch
			}
			var next Campaign
			if err := mergepatch.Apply(cur, patch, readOnly, &next); err != nil {
				return cur, pgrecord.Change{}, err
			}
			next.ID, next.CreatedBy, next.CreatedAt, next.UpdatedAt, next.Version = cur.ID, cur.CreatedBy, cur.CreatedAt, cur.UpdatedAt, cur.Version
			if err := next.normalize(); err != nil {
				return cur, pgrecord.Change{}, err
			}
			if err := checkParent(ctx, tx, next); err != nil {
				return cur, pgrecord.Change{}, err
			}
			next, ch, err := pgrecord.Updated(cur, next)
			if ch.Verb != "" {
				next.UpdatedAt, next.Version = pg.Timestamp(s.now()).UTC(), cur.Version+1
			}
			return next, ch, err
		})
		if err != nil {
			return err
		}
		out.Campaign, changed = c, ch.Fields
		out.MemberCounts, err = memberCounts(ctx, tx, id)
		return err
	})
	return out, changed, err
}

// Delete removes the campaign id with its members, at version ifMatch
// when given, and publishes campaign.deleted; a parent of other
// campaigns is ErrHasChildren.
func (s *Service) Delete(ctx context.Context, id string, ifMatch int64) error {
	if !ids.Valid(id) {
		return ErrNotFound
	}
	return s.db.InCallerTx(ctx, func(_ auth.Principal, tx *outbox.Tx) error {
		_, _, err := pgrecord.UpdateIn(ctx, tx, id, s.rows(), func(cur Campaign) (Campaign, pgrecord.Change, error) {
			if ifMatch != 0 && cur.Version != ifMatch {
				return cur, pgrecord.Change{}, ErrVersionMismatch
			}
			return cur, pgrecord.Change{Verb: marketingdb.VerbDeleted}, nil
		})
		return err
	})
}

// rows is how pgrecord.UpdateIn reads, writes and deletes a campaign.
func (s *Service) rows() pgrecord.Rows[Campaign] {
	return pgrecord.Rows[Campaign]{Entity: marketingdb.EntityCampaign,
		Lock: func(ctx context.Context, tx *outbox.Tx, id string) (Campaign, error) {
			return getCampaign(ctx, tx, id, true)
		},
		Write: func(ctx context.Context, tx *outbox.Tx, _, next Campaign) error {
			return saveCampaign(ctx, tx, next, false)
		},
		Delete: deleteCampaign}
}

// checkParent checks c's parent: a campaign of the tenant that is not c
// nor one of its descendants (c not among the parent's ancestors). The
// tenant's hierarchy is locked for the transaction first, so that two
// concurrent moves cannot make a cycle together.
func checkParent(ctx context.Context, tx *outbox.Tx, c Campaign) error {
	if c.ParentID == nil {
		return nil
	}
	if err := lockHierarchy(ctx, tx); err != nil {
		return err
	}
	up, err := ancestors(ctx, tx, *c.ParentID)
	if err != nil {
		return err
	}
	switch {
	case len(up) == 0:
		return errs.Invalidf([]errs.FieldError{{Field: "parentId", Reason: "must be a campaign's id"}}, "no campaign %s", *c.ParentID)
	case slices.Contains(up, c.ID):
		return errs.Invalidf([]errs.FieldError{{Field: "parentId", Reason: "would make a cycle: the parent is this campaign or one of its descendants"}},
			"campaign %s cannot be under %s, which is under it", c.ID, *c.ParentID)
	}
	return nil
}
