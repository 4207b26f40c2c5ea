package deals

import (
	"fmt"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"

	"github.com/rapport-crm/rapport/services/sales/catalog"
	"github.com/rapport-crm/rapport/services/sales/money"
)

// LineItem is a product an opportunity would sell: its quantity, its unit
// price in the currency of the opportunity's price book, a discount in
// percent and the line's total (quantity × unit price less the discount,
// rounded half-even to the minor unit: money.LineTotal). SKU and
// ProductName are the product's when the line was set.
type LineItem struct {
	ProductID   string `json:"productId"`
	SKU         string `json:"sku"`
	ProductName string `json:"productName"`
	// Quantity is a decimal string greater than 0 (money.ParseQuantity).
	Quantity  string `json:"quantity"`
	UnitPrice Money  `json:"unitPrice"`
	// DiscountPercent is a decimal string from 0 to 100
	// (money.ParseDiscount).
	DiscountPercent string `json:"discountPercent"`
	Total           Money  `json:"total"`
}

// LineItemsInput is the body of a PUT of an opportunity's line items: the
// whole set, priced from the price book.
type LineItemsInput struct {
	PriceBookID string          `json:"priceBookId"`
	LineItems   []LineItemInput `json:"lineItems"`
}

// LineItemInput is one line as a caller sets it: without a unit price, the
// price book's price of the product.
type LineItemInput struct {
	ProductID       string      `json:"productId"`
	Quantity        string      `json:"quantity"`
	UnitPrice       *PriceInput `json:"unitPrice,omitempty"`
	DiscountPercent string      `json:"discountPercent,omitempty"`
}

// PriceInput is a unit price a caller sets, in minor units of the price
// book's currency (which it may state).
type PriceInput struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency,omitempty"`
}

// LineItems is an opportunity's line items as GET and PUT
// /v1/opportunities/{id}/line-items answer them: the price book, the
// lines and the opportunity's amount, which is their total while it has
// lines; Version is the opportunity's.
type LineItems struct {
	OpportunityID string     `json:"opportunityId"`
	PriceBookID   string     `json:"priceBookId,omitempty"`
	LineItems     []LineItem `json:"lineItems"`
	Amount        *Money     `json:"amount,omitempty"`
	Version       int64      `json:"version"`
}

// maxLineItems is the most lines of an opportunity.
const maxLineItems = 200

// The errors of line items.
var (
	// ErrAmountFollowsLines is a patch of the amount of an opportunity
	// with line items, whose amount is their total.
	ErrAmountFollowsLines = errs.Invalidf([]errs.FieldError{{Field: "amount",
		Reason: "is the total of the line items while the opportunity has any; change the lines (PUT /v1/opportunities/{id}/line-items)"}},
		"the amount follows the line items")
)

// lineItemsOf is o's line items as answered.
func lineItemsOf(o *Opportunity) *LineItems {
	return &LineItems{OpportunityID: o.ID, PriceBookID: o.PriceBookID, LineItems: o.LineItems, Amount: o.Amount, Version: o.Version}
}

// check validates in's shape (not its prices, which need the book),
// naming each bad field by its path.
func (in *LineItemsInput) check() error {
	v := errs.NewValidator()
	v.Check(in.PriceBookID == "" && len(in.LineItems) == 0 || ids.Valid(in.PriceBookID), "priceBookId",
		"must be the id of one of the tenant's price books when there are lines")
	v.Check(len(in.LineItems) <= maxLineItems, "lineItems", fmt.Sprintf("at most %d", maxLineItems))
	for i, l := range in.LineItems {
		path := fmt.Sprintf("lineItems/%d/", i)
		v.Check(ids.Valid(l.ProductID), path+"productId", "must be the id of a product")
		_, err := money.ParseQuantity(l.Quantity)
		v.Check(err == nil, path+"quantity", reason(err))
		_, err = money.ParseDiscount(l.DiscountPercent)
		v.Check(err == nil, path+"discountPercent", reason(err))
		v.Check(l.UnitPrice == nil || l.UnitPrice.Minor >= 0, path+"unitPrice/minor", "must be an integer of minor units, 0 or more")
	}
	return v.Err()
}

// reason is err's message, or "" without one.
func reason(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// PricedLine is what a line's pricing reads in the catalogue: the
// product's SKU, name and whether it is active, and its unit price in the
// book.
type PricedLine struct {
	SKU, Name string
	Active    bool
	UnitPrice Money
}

// Pricer prices the product of a line in the price book on the
// transaction's day: catalog.ErrNoPrice (unprocessable, naming productId)
// when the book has no price for it.
type Pricer func(book, product string) (*PricedLine, error)

// price makes the lines of in, priced by pricer in the book's currency
// (currency), and their total. A product without a price in the book is
// the catalogue's error naming the line (lineItems/2/productId); an
// inactive product is catalog.ErrProductInactive naming it.
func (in *LineItemsInput) price(pricer Pricer) ([]LineItem, *Money, error) {
	out := make([]LineItem, 0, len(in.LineItems))
	totals := make([]Money, 0, len(in.LineItems))
	for i, l := range in.LineItems {
		path := fmt.Sprintf("lineItems/%d/", i)
		p, err := pricer(in.PriceBookID, l.ProductID)
		if err != nil {
			return nil, nil, renameField(err, "productId", path+"productId")
		}
		if !p.Active {
			e := catalog.ErrProductInactive.WithDetail("the product %s is inactive: it cannot be added to lines", l.ProductID)
			e.Fields = []errs.FieldError{{Field: path + "productId", Reason: "is inactive"}}
			return nil, nil, e
		}
		unit := p.UnitPrice
		if l.UnitPrice != nil {
			if l.UnitPrice.Currency != "" && l.UnitPrice.Currency != unit.Currency {
				return nil, nil, errs.Invalidf([]errs.FieldError{{Field: path + "unitPrice/currency", Reason: "must be " + unit.Currency + ", the price book's"}}, "the unit price is in another currency")
			}
			unit.Minor = l.UnitPrice.Minor
		}
		q, _ := money.ParseQuantity(l.Quantity)
		d, _ := money.ParseDiscount(l.DiscountPercent)
		total, err := money.LineTotal(q, unit, d)
		if err != nil {
			return nil, nil, renameField(err, "", path+"total")
		}
		out = append(out, LineItem{ProductID: l.ProductID, SKU: p.SKU, ProductName: p.Name, Quantity: q.Text('f'), UnitPrice: unit,
			DiscountPercent: d.Text('f'), Total: total})
		totals = append(totals, total)
	}
	if len(out) == 0 {
		return out, nil, nil
	}
	sum, err := money.Total(out[0].Total.Currency, totals)
	if err != nil {
		return nil, nil, renameField(err, "", "lineItems")
	}
	return out, &sum, nil
}

// renameField returns err with its field from (any field when "") named
// to instead; an error without fields gets to.
func renameField(err error, from, to string) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	c := *e
	c.Fields = nil
	for _, f := range e.Fields {
		if from == "" || f.Field == from {
			f.Field = to
		}
		c.Fields = append(c.Fields, f)
	}
	if len(c.Fields) == 0 {
		c.Fields = []errs.FieldError{{Field: to, Reason: e.Message}}
	}
	return &c
}
