package catalog

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// Service manages the tenant's catalogue: products, price books and their
// entries. Patches are JSON merge patches (RFC 7396) needing ifMatch, the
// version the caller last saw (0: none); deletes take it when given.
type Service interface {
	CreateProduct(ctx context.Context, p Product) (*Product, error)
	GetProduct(ctx context.Context, id string) (*Product, error)
	ListProducts(ctx context.Context, f ProductFilter, cursor string, limit int) (*Page[Product], error)
	UpdateProduct(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Product, []string, error)
	// DeleteProduct deletes a product no price book lists.
	DeleteProduct(ctx context.Context, id string, ifMatch int64) error

	CreatePriceBook(ctx context.Context, b PriceBook) (*PriceBook, error)
	GetPriceBook(ctx context.Context, id string) (*PriceBook, error)
	ListPriceBooks(ctx context.Context, currency string) ([]PriceBook, error)
	UpdatePriceBook(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*PriceBook, []string, error)
	// DeletePriceBook deletes a price book with its entries.
	DeletePriceBook(ctx context.Context, id string, ifMatch int64) error

	ListEntries(ctx context.Context, id, cursor string, limit int) (*Page[Entry], error)
	// SetEntry sets a product's price in a price book, reporting whether
	// the entry is new; an inactive product cannot be newly priced.
	SetEntry(ctx context.Context, id, product string, price money.Money) (*Entry, bool, error)
	DeleteEntry(ctx context.Context, id, product string) error
}

// Page is a page of a list; NextCursor, when set, reads the next.
type Page[T any] struct {
	Items      []T    `json:"items"`
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

// tenant returns the caller's tenant; an id that is no UUID (when ids are
// given) is notFound.
func tenant(ctx context.Context, notFound error, idList ...string) (string, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return "", auth.ErrUnauthenticated
	}
	for _, id := range idList {
		if !ids.Valid(id) {
			return "", notFound
		}
	}
	return p.TenantID, nil
}

// page makes a page of list, read with one more than limit: the extra one
// says there is a next page, whose cursor key(last) encodes.
func page[T any](c *kitx.Cursors, list []T, limit int, key func(T) string) *Page[T] {
	p := &Page[T]{Items: list}
	if len(list) > limit {
		p.Items = list[:limit]
		p.NextCursor = c.EncodeCursor(key(list[limit-1]))
	}
	return p
}

// after decodes cursor ("" from the first).
func (s *service) after(cursor string) (string, error) {
	var after string
	if cursor == "" {
		return "", nil
	}
	return after, s.cursors.DecodeCursor(cursor, &after)
}

// CreateProduct implements Service.
func (s *service) CreateProduct(ctx context.Context, in Product) (*Product, error) {
	t, err := tenant(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now())
	in.ID, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), now, now, 1
	return &in, s.store.CreateProduct(ctx, t, &in)
}

// GetProduct implements Service.
func (s *service) GetProduct(ctx context.Context, id string) (*Product, error) {
	t, err := tenant(ctx, ErrProductNotFound, id)
	if err != nil {
		return nil, err
	}
	return s.store.Product(ctx, t, id)
}

// ListProducts implements Service: by SKU regardless of case.
func (s *service) ListProducts(ctx context.Context, f ProductFilter, cursor string, limit int) (*Page[Product], error) {
	t, err := tenant(ctx, nil)
	if err != nil {
		return nil, err
	}
	after, err := s.after(cursor)
	if err != nil {
		return nil, err
	}
	list, err := s.store.Products(ctx, t, f, after, limit+1)
	if err != nil {
		return nil, err
	}
	return page(s.cursors, list, limit, func(p Product) string { return p.SKU }), nil
}

// UpdateProduct implements Service. A patch that changes nothing keeps
// the version and publishes nothing.
func (s *service) UpdateProduct(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Product, []string, error) {
	t, err := tenant(ctx, ErrProductNotFound, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	out, ch, err := s.store.UpdateProduct(ctx, t, id, func(old *Product) (*Product, pgrecord.Change, error) {
		if old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		next := &Product{}
		if err := mergepatch.Apply(old, patch, productReadOnly, next); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := next.normalize(); err != nil {
			return nil, pgrecord.Change{}, err
		}
		next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()), old.Version+1
		return pgrecord.Updated(old, next)
	})
	return out, ch.Fields, err
}

// DeleteProduct implements Service.
func (s *service) DeleteProduct(ctx context.Context, id string, ifMatch int64) error {
	t, err := tenant(ctx, ErrProductNotFound, id)
	if err != nil {
		return err
	}
	_, _, err = s.store.UpdateProduct(ctx, t, id, func(old *Product) (*Product, pgrecord.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		return old, pgrecord.Change{Verb: pgstore.VerbDeleted}, nil
	})
	return err
}
