package kb

import (
	"context"
	"encoding/json"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// checkParent is errParentRef unless id is "" or a UUID (the foreign key
// checks it exists).
func checkParent(id string) error {
	if id != "" && !ids.Valid(id) {
		return errParentRef
	}
	return nil
}

// CreateCategory implements Service.
func (s *service) CreateCategory(ctx context.Context, c Category) (*Category, error) {
	t, _, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := c.normalize(); err != nil {
		return nil, err
	}
	if err := checkParent(c.ParentID); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	c.ID, c.CreatedAt, c.UpdatedAt, c.Version = ids.New(), now, now, 1
	return &c, s.store.CreateCategory(ctx, t, &c)
}

// GetCategory implements Service.
func (s *service) GetCategory(ctx context.Context, id string) (*Category, error) {
	t, _, err := caller(ctx, ErrCategoryNotFound, id)
	if err != nil {
		return nil, err
	}
	return s.store.Category(ctx, t, id)
}

// ListCategories implements Service.
func (s *service) ListCategories(ctx context.Context) ([]Category, error) {
	t, _, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	return s.store.Categories(ctx, t)
}

// UpdateCategory implements Service. A patch that changes nothing keeps
// the version and publishes nothing.
func (s *service) UpdateCategory(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Category, []string, error) {
	t, _, err := caller(ctx, ErrCategoryNotFound, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	out, ch, err := s.store.UpdateCategory(ctx, t, id, func(old *Category) (*Category, pgrecord.Change, error) {
		if old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		next := &Category{}
		if err := mergepatch.Apply(old, patch, categoryReadOnly, next); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := next.normalize(); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := checkParent(next.ParentID); err != nil {
			return nil, pgrecord.Change{}, err
		}
		next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
		return pgrecord.Updated(old, next)
	})
	return out, ch.Fields, err
}

// DeleteCategory implements Service.
func (s *service) DeleteCategory(ctx context.Context, id string, ifMatch int64) error {
	t, _, err := caller(ctx, ErrCategoryNotFound, id)
	if err != nil {
		return err
	}
	_, _, err = s.store.UpdateCategory(ctx, t, id, func(old *Category) (*Category, pgrecord.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		return old, pgrecord.Change{Verb: supportdb.VerbDeleted}, nil
	})
	return err
}
