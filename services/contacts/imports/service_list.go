package imports

import (
	"context"

	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// listPosition is where a page of imports ends: the last import's id
// (time-ordered, so newest first is id order).
type listPosition struct {
	ID string `json:"i"`
}

// List implements Service.
func (s *service) List(ctx context.Context, limit int, cursor string) (customer.Page[Import], error) {
	var page customer.Page[Import]
	p, err := customer.Caller(ctx)
	if err != nil {
		return page, err
	}
	var after listPosition
	if cursor != "" {
		if err := s.cursors.DecodeCursor(cursor, &after); err != nil {
			return page, err
		}
	}
	if limit <= 0 || limit > kitx.MaxLimit {
		limit = kitx.DefaultLimit
	}
	creator := p.UserID
	if p.Can(customer.PermAdmin) {
		creator = ""
	}
	items, err := s.store.list(ctx, p.TenantID, creator, after.ID, limit+1)
	if err != nil {
		return page, err
	}
	if len(items) > limit {
		items = items[:limit]
		page.NextCursor = s.cursors.EncodeCursor(listPosition{ID: items[limit-1].ID})
	}
	page.Items = items
	return page, nil
}
