package identity

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// Page is one page of a list in id order: Items and, when more follow, the
// opaque cursor of the next page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// Pages of each kind of record.
type (
	UserPage   = Page[User]
	TeamPage   = Page[Team]
	RolePage   = Page[Role]
	APIKeyPage = Page[APIKey]
	TenantPage = Page[Tenant]
)

// lister reads up to n records after the id after.
type lister[T any] func(ctx context.Context, tx *sqlx.Tx, after string, n int) ([]T, error)

// listPage checks the caller holds perm and reads one page of its tenant's
// records with list; id names a record for the next page's cursor.
func listPage[T any](ctx context.Context, s *Service, perm, cursor string, limit int, list lister[T], id func(T) string) (Page[T], error) {
	p, err := caller(ctx, perm)
	if err != nil {
		return Page[T]{}, err
	}
	after, err := s.decodeCursor(cursor)
	if err != nil {
		return Page[T]{}, err
	}
	var page Page[T]
	err = s.tenantTx(ctx, p.TenantID, func(tx *sqlx.Tx) error {
		items, err := list(ctx, tx, after, limit+1)
		page = paginate(s, items, limit, id)
		return err
	})
	return page, err
}

// paginate cuts the limit+1 records read into a page of at most limit.
func paginate[T any](s *Service, items []T, limit int, id func(T) string) Page[T] {
	page := Page[T]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = s.cursors.EncodeCursor(id(items[limit-1]))
	}
	return page
}
