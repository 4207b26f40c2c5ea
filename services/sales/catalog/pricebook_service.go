package catalog

import (
	"context"
	"encoding/json"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// CreatePriceBook implements Service.
func (s *service) CreatePriceBook(ctx context.Context, in PriceBook) (*PriceBook, error) {
	t, err := tenant(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(nil); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	in.ID, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), now, now, 1
	return &in, s.store.CreatePriceBook(ctx, t, &in)
}

// GetPriceBook implements Service.
func (s *service) GetPriceBook(ctx context.Context, id string) (*PriceBook, error) {
	t, err := tenant(ctx, ErrPriceBookNotFound, id)
	if err != nil {
		return nil, err
	}
	return s.store.PriceBook(ctx, t, id)
}

// ListPriceBooks implements Service.
func (s *service) ListPriceBooks(ctx context.Context, currency string) ([]PriceBook, error) {
	t, err := tenant(ctx, nil)
	if err != nil {
		return nil, err
	}
	return s.store.PriceBooks(ctx, t, currency)
}

// UpdatePriceBook implements Service: its currency cannot change.
func (s *service) UpdatePriceBook(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*PriceBook, []string, error) {
	t, err := tenant(ctx, ErrPriceBookNotFound, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	out, ch, err := s.store.UpdatePriceBook(ctx, t, id, func(old *PriceBook) (*PriceBook, pgrecord.Change, error) {
		if old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		next := &PriceBook{}
		if err := mergepatch.Apply(old, patch, priceBookReadOnly, next); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := next.normalize(old); err != nil {
			return nil, pgrecord.Change{}, err
		}
		next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
		return pgrecord.Updated(old, next)
	})
	return out, ch.Fields, err
}

// DeletePriceBook implements Service.
func (s *service) DeletePriceBook(ctx context.Context, id string, ifMatch int64) error {
	t, err := tenant(ctx, ErrPriceBookNotFound, id)
	if err != nil {
		return err
	}
	_, _, err = s.store.UpdatePriceBook(ctx, t, id, func(old *PriceBook) (*PriceBook, pgrecord.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		return old, pgrecord.Change{Verb: pgstore.VerbDeleted}, nil
	})
	return err
}

// ListEntries implements Service: by product id.
func (s *service) ListEntries(ctx context.Context, id, cursor string, limit int) (*Page[Entry], error) {
	t, err := tenant(ctx, ErrPriceBookNotFound, id)
	if err != nil {
		return nil, err
	}
	after, err := s.after(cursor)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Entries(ctx, t, id, after, limit+1)
	if err != nil {
		return nil, err
	}
	return page(s.cursors, list, limit, func(e Entry) string { return e.ProductID }), nil
}

// SetEntry implements Service: the price is money in the book's currency
// (which it may leave out); a product already priced keeps its entry
// when deactivated, but an inactive product is not newly priced.
func (s *service) SetEntry(ctx context.Context, id, product string, price money.Money) (*Entry, bool, error) {
	t, err := tenant(ctx, ErrPriceBookNotFound, id)
	if err != nil {
		return nil, false, err
	}
	if !ids.Valid(product) {
		return nil, false, ErrProductNotFound
	}
	now := pg.Timestamp(s.now())
	return s.store.SetEntry(ctx, t, id, product, func(b *PriceBook, p *Product, old *Entry) (*Entry, error) {
		if err := b.checkPrice(&price); err != nil {
			return nil, err
		}
		e := &Entry{PriceBookID: id, ProductID: product, UnitPrice: price, CreatedAt: now, UpdatedAt: now}
		if old != nil {
			e.CreatedAt = old.CreatedAt
		} else if !*p.Active {
			return nil, ErrProductInactive.WithDetail("the product %q is inactive: it cannot be newly priced", p.SKU)
		}
		return e, nil
	})
}

// DeleteEntry implements Service.
func (s *service) DeleteEntry(ctx context.Context, id, product string) error {
	t, err := tenant(ctx, ErrPriceBookNotFound, id)
	if err != nil {
		return err
	}
	if !ids.Valid(product) {
		return ErrEntryNotFound
	}
	return s.store.DeleteEntry(ctx, t, id, product)
}
