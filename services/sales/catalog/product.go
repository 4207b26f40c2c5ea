// Package catalog is the catalogue context of the sales service: the
// tenant's products and its price books, each a currency's (and
// optionally a customer segment's) list prices of products for a period,
// and the price lookup quotes use (Prices.Price). Reading the catalogue
// needs sales:read; changing it is tenant configuration (sales:admin).
// Money is package money's: minor units, never floating point.
package catalog

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The permissions of the catalogue.
const (
	PermRead  = "sales:read"
	PermAdmin = "sales:admin"
)

// Product is an item of the tenant's catalogue. An inactive product stays
// readable (and priced where it already was) but cannot be newly priced.
type Product struct {
	ID string `json:"id"`
	// SKU is unique in the tenant regardless of case.
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	Family      string `json:"family,omitempty"`
	Unit        string `json:"unit"`
	Description string `json:"description,omitempty"`
	// Active is true unless set false; a new product is active.
	Active    *bool     `json:"active"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Version   int64     `json:"version"`
}

// The bounds of a product.
const (
	maxSKU         = 64
	maxName        = 200
	maxShort       = 100 // characters of a family, a unit, a segment
	maxDescription = 4000
)

// productReadOnly are the fields of a Product the service sets.
var productReadOnly = []string{"id", "createdAt", "updatedAt", "version"}

// The errors of products.
var (
	ErrProductNotFound = errs.New(errs.NotFound, "product-not-found", "product not found")
	ErrSKUExists       = errs.New(errs.Conflict, "sku-exists", "a product with this SKU already exists")
	ErrProductInUse    = errs.New(errs.Conflict, "product-in-use", "price books list the product; deactivate it instead, or remove its prices first")
	ErrIfMatchRequired = errs.New(errs.PreconditionRequired, "if-match-required", "this update needs an If-Match header with the ETag you last read")
	ErrVersionMismatch = errs.New(errs.PreconditionFailed, "version-mismatch", "the record changed since you read it; read it again and retry")
	ErrProductInactive = errs.New(errs.Unprocessable, "product-inactive", "the product is inactive: it cannot be newly priced")
)

// text trims s and checks it has min to max characters, naming field.
func text(v *errs.Validator, s *string, field string, min, max int) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	v.Check(n >= min && n <= max, field, fmt.Sprintf("must be %d to %d characters", min, max))
}

// normalize validates p, trimming its texts; a product without active is
// active.
func (p *Product) normalize() error {
	v := errs.NewValidator()
	text(v, &p.SKU, "sku", 1, maxSKU)
	v.Check(!strings.ContainsFunc(p.SKU, func(r rune) bool { return r <= ' ' || r == 0x7f }), "sku", "must have no spaces or control characters")
	text(v, &p.Name, "name", 1, maxName)
	text(v, &p.Family, "family", 0, maxShort)
	text(v, &p.Unit, "unit", 1, maxShort)
	text(v, &p.Description, "description", 0, maxDescription)
	if p.Active == nil {
		t := true
		p.Active = &t
	}
	return v.Err()
}
