// Package attribution credits campaigns with the revenue of the
// opportunities they helped win (issue 19, point 10). Touches — a
// campaign's message sent to, opened or clicked by a contact, its form
// submitted by one, a lead of it converted into one — are read from the
// service's own topic and sales'; so are sales' opportunities and leads.
// Each won opportunity's amount is split over the campaigns its contacts
// touched in the Lookback before it was won, under every model
// (first-touch, last-touch, linear), and stored so that a report reads
// sums; a touch arriving after the win credits it again, and an
// opportunity reopened, lost or deleted loses its credits. Amounts are
// split in whole minor units with exact decimal arithmetic, per currency.
package attribution

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// Service is the API of attribution: what campaigns brought, and the
// touches of a contact.
type Service interface {
	// Campaigns reports every campaign's results under q.
	Campaigns(ctx context.Context, q Query) (Report, error)
	// Touches returns a page of the touches of the contact id, in the
	// order they happened, after cursor.
	Touches(ctx context.Context, id, cursor string, limit int) (TouchPage, error)
}

// TouchPage is a page of touches and the cursor of the next.
type TouchPage struct {
	Items      []Touch `json:"items"`
	NextCursor string  `json:"nextCursor,omitempty"`
}

// touchKey is a touch's place in a contact's touches: a page's cursor.
type touchKey struct {
	At time.Time `json:"at"`
	ID string    `json:"id"`
}

// service is the Service on a database.
type service struct {
	db      *outbox.DB
	cursors *kitx.Cursors
}

// NewService returns the Service on db, its pages' cursors signed by
// cursors.
func NewService(db *outbox.DB, cursors *kitx.Cursors) Service {
	return &service{db: db, cursors: cursors}
}

// inTx runs fn in a transaction of the caller's tenant.
func (s *service) inTx(ctx context.Context, fn func(tx *outbox.Tx) error) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, p.TenantID, fn)
}

// Campaigns implements Service.
func (s *service) Campaigns(ctx context.Context, q Query) (out Report, err error) {
	out.Model = q.Model
	err = s.inTx(ctx, func(tx *outbox.Tx) error {
		campaigns, err := readCampaigns(ctx, tx)
		if err != nil {
			return err
		}
		leads, err := countLeads(ctx, tx, q)
		if err != nil {
			return err
		}
		opportunities, err := countOpportunities(ctx, tx, q)
		if err != nil {
			return err
		}
		won, err := sumWon(ctx, tx, q)
		if err != nil {
			return err
		}
		out.Items, err = results(campaigns, leads, opportunities, won)
		return err
	})
	return out, err
}

// Touches implements Service.
func (s *service) Touches(ctx context.Context, id, cursor string, limit int) (out TouchPage, err error) {
	if !ids.Valid(id) {
		return out, ErrContactNotFound
	}
	var after touchKey
	if cursor != "" {
		if err := s.cursors.DecodeCursor(cursor, &after); err != nil {
			return out, err
		}
	}
	err = s.inTx(ctx, func(tx *outbox.Tx) error {
		out.Items, err = listTouches(ctx, tx, id, after, limit+1)
		return err
	})
	if err != nil {
		return out, err
	}
	if len(out.Items) > limit {
		last := out.Items[limit-1]
		out.Items = out.Items[:limit]
		out.NextCursor = s.cursors.EncodeCursor(touchKey{At: last.At, ID: last.ID})
	}
	return out, nil
}
