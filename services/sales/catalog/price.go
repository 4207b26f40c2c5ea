package catalog

import (
	"context"
	"errors"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
)

// Price returns the price of product in the price book id on day, in a
// transaction of tenant (PriceIn).
func (s *Store) Price(ctx context.Context, tenant, id, product string, day time.Time) (e *Entry, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		e, err = PriceIn(ctx, tx, id, product, day)
		return err
	})
	return e, err
}

// PriceIn returns the price of product in the price book id on day (its
// date in UTC), read in tx, for a quote's line: the book's entry for the
// product, when the book is active and valid on that day. Otherwise it is
// ErrNoPrice (unprocessable) naming the product and why: no such book, the
// book inactive or out of its dates, or no entry for the product.
func PriceIn(ctx context.Context, tx *outbox.Tx, id, product string, day time.Time) (*Entry, error) {
	date := day.UTC().Format(time.DateOnly)
	noPrice := func(format string, args ...any) error {
		e := ErrNoPrice.WithDetail(format, args...)
		e.Fields = append(e.Fields, errs.FieldError{Field: "productId", Reason: "has no price in the price book on " + date + ": " + product})
		return e
	}
	if !ids.Valid(id) || !ids.Valid(product) {
		return nil, noPrice("no price book %q prices the product %q", id, product)
	}
	b, err := getPriceBook(ctx, tx, id, "")
	if errors.Is(err, ErrPriceBookNotFound) {
		return nil, noPrice("no price book %s prices the product %s", id, product)
	}
	if err != nil {
		return nil, err
	}
	if !b.validOn(date) {
		return nil, noPrice("the price book %q is inactive or not valid on %s, so it has no price for the product %s", b.Name, date, product)
	}
	e, err := getEntry(ctx, tx, id, product)
	if errors.Is(err, ErrEntryNotFound) {
		return nil, noPrice("the price book %q has no price for the product %s", b.Name, product)
	}
	return e, err
}

// ProductIn reads the product id in tx, for a line of an opportunity or a
// quote: ErrProductNotFound when there is none.
func ProductIn(ctx context.Context, tx *outbox.Tx, id string) (*Product, error) {
	if !ids.Valid(id) {
		return nil, ErrProductNotFound
	}
	return getProduct(ctx, tx, id, false)
}
