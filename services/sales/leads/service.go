package leads

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// Service manages leads within the caller's record scope in the sales
// module (deals.InScope): a lead out of it is not found. Patches are JSON
// merge patches needing ifMatch, the version the caller last saw (0:
// none); deletes and restores take it when given.
type Service interface {
	// Create stores a lead and returns it with the ids of the leads the
	// caller may see that share its email or phone: duplicates are
	// reported, never refused. The assignment rules give it its owner
	// when it names none, or when ctx asks for it (WithAssignment).
	Create(ctx context.Context, l Lead) (*Created, error)
	Get(ctx context.Context, id string) (*Lead, error)
	List(ctx context.Context, f Filter, cursor string, limit int) (*Page, error)
	// Update changes a lead that is not converted; its status moves only
	// as transitions allow.
	Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Lead, []string, error)
	Delete(ctx context.Context, id string, ifMatch int64) error
	Restore(ctx context.Context, id string, ifMatch int64) (*Lead, error)
	// Duplicates lists the live leads the caller may see that share the
	// lead's email or phone.
	Duplicates(ctx context.Context, id string) ([]Lead, error)
}

// Created is a new lead with the ids of its duplicates.
type Created struct {
	Lead
	Duplicates []string `json:"duplicates"`
}

// Page is a page of leads; NextCursor, when set, reads the next.
type Page struct {
	Items      []Lead `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

type service struct {
	store   *Store
	cursors *kitx.Cursors
	now     func() time.Time
}

// NewService returns the Service on store, signing list cursors with
// cursors.
func NewService(store *Store, cursors *kitx.Cursors) Service {
	return &service{store: store, cursors: cursors, now: time.Now}
}

// visible reads the lead id as the caller may see it.
func (s *service) visible(ctx context.Context, id string) (auth.Principal, *Lead, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return p, nil, err
	}
	if !ids.Valid(id) {
		return p, nil, ErrNotFound
	}
	l, err := s.store.Lead(ctx, p.TenantID, id)
	if err != nil {
		return p, nil, err
	}
	if !deals.InScope(p, l.OwnerID, l.TeamID) {
		return p, nil, ErrNotFound
	}
	return p, l, nil
}

// Create implements Service: a new lead unless the input sets a status,
// owned by the caller unless it names an owner or a rule assigns it.
func (s *service) Create(ctx context.Context, in Lead) (*Created, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	if in.OwnerID == "" {
		ctx = WithAssignment(ctx)
	}
	l, dups, err := s.store.Create(ctx, p, func(region string) (*Lead, error) {
		l := in
		if err := l.normalize(p.UserID, region); err != nil {
			return nil, err
		}
		if err := l.checkStatus(""); err != nil {
			return nil, err
		}
		now := pg.Timestamp(s.now())
		l.ID, l.CreatedAt, l.UpdatedAt, l.Version = ids.New(), now, now, 1
		return &l, nil
	})
	if err != nil {
		return nil, err
	}
	return &Created{Lead: *l, Duplicates: dups}, nil
}

// checkFields checks l's custom field values against defs, normalising
// them (customfields.Check: errors name customFields/<key>) and reading
// their phones in region.
func checkFields(l *Lead, defs Fields, region string) error {
	v := errs.NewValidator()
	customfields.Check(v, defs, l.CustomFields, region)
	return v.Err()
}

// fieldsIn is checkFields reading phones in region, as the store's writes
// take it.
func fieldsIn(region string) func(*Lead, Fields) error {
	return func(l *Lead, defs Fields) error { return checkFields(l, defs, region) }
}

// Get implements Service.
func (s *service) Get(ctx context.Context, id string) (*Lead, error) {
	_, l, err := s.visible(ctx, id)
	return l, err
}

// List implements Service, newest first.
func (s *service) List(ctx context.Context, f Filter, cursor string, limit int) (*Page, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return nil, err
	}
	items, next, err := kitx.Paged(s.cursors, cursor, limit, func(after string, n int) ([]Lead, error) {
		return s.store.List(ctx, p, f, after, n)
	}, func(l Lead) string { return l.ID })
	if err != nil {
		return nil, err
	}
	return &Page{Items: items, NextCursor: next}, nil
}

// Update implements Service. A patch that changes nothing keeps the
// version and publishes nothing.
func (s *service) Update(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Lead, []string, error) {
	p, _, err := s.visible(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	out, ch, err := s.store.patch(ctx, p.TenantID, id, func(old *Lead, defs Fields, region string) (*Lead, pgrecord.Change, error) {
		switch {
		case old.DeletedAt != nil || !deals.InScope(p, old.OwnerID, old.TeamID):
			return nil, pgrecord.Change{}, ErrNotFound
		case old.Version != ifMatch:
			return nil, pgrecord.Change{}, ErrVersionMismatch
		case old.Status == StatusConverted:
			return nil, pgrecord.Change{}, ErrConverted
		}
		next := &Lead{}
		if err := mergepatch.Apply(old, patch, readOnly, next); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := next.normalize(p.UserID, region); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := checkFields(next, defs, region); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := next.checkStatus(old.Status); err != nil {
			return nil, pgrecord.Change{}, err
		}
		next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
		return pgrecord.Updated(old, next)
	})
	return out, ch.Fields, err
}

// Delete implements Service: a soft delete, undone by Restore.
func (s *service) Delete(ctx context.Context, id string, ifMatch int64) error {
	_, err := s.setDeleted(ctx, id, ifMatch, true)
	return err
}

// Restore implements Service.
func (s *service) Restore(ctx context.Context, id string, ifMatch int64) (*Lead, error) {
	return s.setDeleted(ctx, id, ifMatch, false)
}

// setDeleted deletes or restores the lead id; deleting a deleted one is
// not found, restoring a live one a conflict.
func (s *service) setDeleted(ctx context.Context, id string, ifMatch int64, deleted bool) (*Lead, error) {
	p, _, err := s.visible(ctx, id)
	if err != nil {
		return nil, err
	}
	out, _, err := s.store.Update(ctx, p.TenantID, id, func(old *Lead) (*Lead, pgrecord.Change, error) {
		switch {
		case !deals.InScope(p, old.OwnerID, old.TeamID), deleted && old.DeletedAt != nil:
			return nil, pgrecord.Change{}, ErrNotFound
		case !deleted && old.DeletedAt == nil:
			return nil, pgrecord.Change{}, ErrNotDeleted
		case ifMatch != 0 && old.Version != ifMatch:
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		next := *old
		now := pg.Timestamp(s.now())
		next.UpdatedAt, next.Version, next.DeletedAt = now, old.Version+1, nil
		verb := pgstore.VerbRestored
		if deleted {
			next.DeletedAt, verb = &now, pgstore.VerbDeleted
		}
		return &next, pgrecord.Change{Verb: verb}, nil
	})
	return out, err
}

// Duplicates implements Service.
func (s *service) Duplicates(ctx context.Context, id string) ([]Lead, error) {
	p, l, err := s.visible(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.store.Duplicates(ctx, p, l)
}
