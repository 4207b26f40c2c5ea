package deals

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/sales/catalog"
)

// SetLineItems changes the opportunity id's line items in a transaction of
// tenant as UpdateOpportunity changes it (locked, written with the board's
// totals, its event in the outbox), change pricing the lines with the
// catalogue's prices on day read in the same transaction.
func (s *Store) SetLineItems(ctx context.Context, tenant, id string, day time.Time,
	change func(current *Opportunity, price Pricer) (*Opportunity, OpportunityChange, error)) (*Opportunity, OpportunityChange, error) {
	return s.updateOpportunity(ctx, tenant, id, func(tx *outbox.Tx, current *Opportunity) (*Opportunity, OpportunityChange, error) {
		return change(current, func(book, product string) (*PricedLine, error) { return priceLine(ctx, tx, book, product, day) })
	})
}

// priceLine reads, in tx, the product of a line and its price in the
// price book on day: catalog.ErrNoPrice (naming productId) when the book
// has no price for it, the product missing included.
func priceLine(ctx context.Context, tx *outbox.Tx, book, product string, day time.Time) (*PricedLine, error) {
	e, err := catalog.PriceIn(ctx, tx, book, product, day)
	if err != nil {
		return nil, err
	}
	p, err := catalog.ProductIn(ctx, tx, product)
	if errors.Is(err, catalog.ErrProductNotFound) {
		return nil, errs.Invalidf([]errs.FieldError{{Field: "productId", Reason: "is no product of the catalogue"}}, "no such product")
	}
	if err != nil {
		return nil, err
	}
	return &PricedLine{SKU: p.SKU, Name: p.Name, Active: p.Active == nil || *p.Active, UnitPrice: e.UnitPrice}, nil
}

// OpportunityIn reads the opportunity id in tx, deleted or not, locking it
// for the transaction when lock (quotes read the one they are made from).
func OpportunityIn(ctx context.Context, tx *outbox.Tx, id string, lock bool) (*Opportunity, error) {
	return getOpportunity(ctx, tx, id, lock)
}

// CheckLinePrices checks, in tx, that the price book of o still prices
// every product of its line items on day, as a quote made of them needs:
// catalog.ErrNoPrice naming the line (lineItems/2/productId) when it does
// not, the product gone included.
func CheckLinePrices(ctx context.Context, tx *outbox.Tx, o *Opportunity, day time.Time) error {
	for i, l := range o.LineItems {
		if _, err := priceLine(ctx, tx, o.PriceBookID, l.ProductID, day); err != nil {
			return renameField(err, "productId", fmt.Sprintf("lineItems/%d/productId", i))
		}
	}
	return nil
}
