package money

import (
	"fmt"
	"regexp"

	"github.com/cockroachdb/apd/v3"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The bounds of a line item's decimals.
const (
	// QuantityPlaces is the most decimal places of a quantity.
	QuantityPlaces = 4
	// DiscountPlaces is the most decimal places of a discount percent.
	DiscountPlaces = 2
)

// ErrTooLarge is a line or a total beyond the int64 minor units money is
// kept in.
var ErrTooLarge = errs.New(errs.Invalid, "amount-too-large", "the amount is too large")

// decimalSyntax is a plain decimal: digits, optionally a point and more
// digits; no sign, exponent, infinity or NaN.
var decimalSyntax = regexp.MustCompile(`^[0-9]{1,18}(\.[0-9]+)?$`)

// exact computes without rounding (quantities, prices and discounts have
// at most 19 + 4 + 3 + 2 digits, far below its precision) and rounds to
// minor units half-even, as banks do.
var exact = apd.Context{Precision: 60, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfEven}

// parse reads s, a plain decimal of at most places decimal places.
func parse(s string, places int32) (*apd.Decimal, bool) {
	if !decimalSyntax.MatchString(s) {
		return nil, false
	}
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return nil, false
	}
	d.Reduce(d)
	return d, -d.Exponent <= places
}

// ParseQuantity reads a line's quantity: a decimal string greater than 0
// with at most QuantityPlaces decimal places ("3", "0.5", "1.2500").
func ParseQuantity(s string) (*apd.Decimal, error) {
	d, ok := parse(s, QuantityPlaces)
	if !ok || d.IsZero() {
		return nil, fmt.Errorf("must be a decimal greater than 0 with at most %d decimal places, as a string", QuantityPlaces)
	}
	return d, nil
}

// ParseDiscount reads a line's discount in percent: a decimal string from
// 0 to 100 with at most DiscountPlaces decimal places ("12.5"); "" is 0.
func ParseDiscount(s string) (*apd.Decimal, error) {
	if s == "" {
		return apd.New(0, 0), nil
	}
	d, ok := parse(s, DiscountPlaces)
	if !ok || d.Cmp(apd.New(100, 0)) > 0 {
		return nil, fmt.Errorf("must be a decimal from 0 to 100 with at most %d decimal places, as a string", DiscountPlaces)
	}
	return d, nil
}

// LineTotal returns quantity × unitPrice less discountPercent percent,
// computed exactly and rounded half-even to the currency's minor unit, in
// unitPrice's currency. quantity and discountPercent are as ParseQuantity
// and ParseDiscount return them.
func LineTotal(quantity *apd.Decimal, unitPrice Money, discountPercent *apd.Decimal) (Money, error) {
	var keep, total apd.Decimal
	_, err := exact.Sub(&keep, apd.New(100, 0), discountPercent)
	if err == nil {
		_, err = exact.Mul(&total, quantity, apd.New(unitPrice.Minor, 0))
	}
	if err == nil {
		_, err = exact.Mul(&total, &total, &keep)
	}
	if err == nil {
		_, err = exact.Quo(&total, &total, apd.New(100, 0))
	}
	if err == nil {
		_, err = exact.Quantize(&total, &total, 0)
	}
	if err != nil {
		return Money{}, fmt.Errorf("line total: %w", err)
	}
	return fromMinor(&total, unitPrice)
}

// fromMinor is d, an integral number of minor units, as money in like's
// currency.
func fromMinor(d *apd.Decimal, like Money) (Money, error) {
	n, err := d.Int64()
	if err != nil {
		return Money{}, ErrTooLarge
	}
	out := Money{Minor: n, Currency: like.Currency}
	if exp, ok := Exponent(like.Currency); ok {
		out.Exponent = &exp
	}
	return out, nil
}

// Total sums lines, line totals of one currency (as LineTotal rounded
// them), into money of currency.
func Total(currency string, lines []Money) (Money, error) {
	var sum apd.Decimal
	for i, l := range lines {
		if l.Currency != currency {
			return Money{}, errs.Invalidf([]errs.FieldError{{Field: fmt.Sprintf("lines/%d/currency", i), Reason: "must be " + currency}}, "the lines are in more than one currency")
		}
		if _, err := exact.Add(&sum, &sum, apd.New(l.Minor, 0)); err != nil {
			return Money{}, fmt.Errorf("total: %w", err)
		}
	}
	return fromMinor(&sum, Money{Currency: currency})
}
