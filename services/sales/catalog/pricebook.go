package catalog

import (
	"time"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/sales/money"
)

// PriceBook is a list of prices of products in one currency, for a
// customer segment or everyone, valid between two dates (either open).
// A tenant has at most one standard price book per currency.
type PriceBook struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Currency is an ISO 4217 code (money.Exponent); it cannot change.
	Currency string `json:"currency"`
	// Exponent is the currency's minor-unit digits, set by the service.
	Exponent int `json:"exponent"`
	// Segment is a free label of the customers the book is for
	// ("enterprise", "education"); none is everyone.
	Segment string `json:"segment,omitempty"`
	// ValidFrom and ValidTo bound the dates the book prices, inclusive
	// (YYYY-MM-DD); either may be left open.
	ValidFrom  string    `json:"validFrom,omitempty"`
	ValidTo    string    `json:"validTo,omitempty"`
	Active     *bool     `json:"active"`
	IsStandard bool      `json:"isStandard"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	Version    int64     `json:"version"`
}

// Entry is a product's price in a price book: its unit price in the
// book's currency.
type Entry struct {
	PriceBookID string      `json:"priceBookId"`
	ProductID   string      `json:"productId"`
	UnitPrice   money.Money `json:"unitPrice"`
	CreatedAt   time.Time   `json:"createdAt"`
	UpdatedAt   time.Time   `json:"updatedAt"`
}

// priceBookReadOnly are the fields of a PriceBook the service sets.
var priceBookReadOnly = []string{"id", "exponent", "createdAt", "updatedAt", "version"}

// The errors of price books.
var (
	ErrPriceBookNotFound = errs.New(errs.NotFound, "price-book-not-found", "price book not found")
	ErrPriceBookExists   = errs.New(errs.Conflict, "price-book-exists", "a price book with this name already exists")
	ErrStandardExists    = errs.New(errs.Conflict, "standard-price-book-exists", "the tenant has a standard price book in this currency")
	ErrEntryNotFound     = errs.New(errs.NotFound, "entry-not-found", "the price book has no price for the product")
	// ErrNoPrice is a price lookup that found no price (Prices.Price): a
	// well-formed request the catalogue cannot serve, naming the product.
	ErrNoPrice = errs.New(errs.Unprocessable, "no-price", "the price book has no price for the product on the date")
)

// normalize validates b, trimming its texts and setting the exponent of
// its currency; a book without active is active. old is the book before a
// patch (nil on create): its currency cannot change.
func (b *PriceBook) normalize(old *PriceBook) error {
	v := errs.NewValidator()
	text(v, &b.Name, "name", 1, maxName)
	exp, ok := money.Exponent(b.Currency)
	v.Check(ok, "currency", "must be an ISO 4217 currency code in upper case (not an X code)")
	v.Check(old == nil || b.Currency == old.Currency, "currency", "cannot change: create another price book")
	b.Exponent = exp
	text(v, &b.Segment, "segment", 0, maxShort)
	from, errFrom := time.Parse(time.DateOnly, b.ValidFrom)
	to, errTo := time.Parse(time.DateOnly, b.ValidTo)
	v.Check(b.ValidFrom == "" || errFrom == nil, "validFrom", "must be a date, YYYY-MM-DD")
	v.Check(b.ValidTo == "" || errTo == nil, "validTo", "must be a date, YYYY-MM-DD")
	v.Check(b.ValidFrom == "" || b.ValidTo == "" || errFrom != nil || errTo != nil || !to.Before(from), "validTo", "must be validFrom or later")
	if b.Active == nil {
		t := true
		b.Active = &t
	}
	return v.Err()
}

// validOn reports whether b prices on day (YYYY-MM-DD): active, and day
// within its validity.
func (b *PriceBook) validOn(day string) bool {
	return *b.Active && (b.ValidFrom == "" || b.ValidFrom <= day) && (b.ValidTo == "" || day <= b.ValidTo)
}

// checkPrice validates the unit price of an entry of b, naming its fields
// under unitPrice: money in b's currency. A price may leave the currency
// out: it is the book's.
func (b *PriceBook) checkPrice(price *money.Money) error {
	v := errs.NewValidator()
	if price.Currency == "" {
		price.Currency = b.Currency
	}
	price.Check(v, "unitPrice")
	v.Check(price.Currency == b.Currency, "unitPrice/currency", "must be the price book's currency, "+b.Currency)
	return v.Err()
}
