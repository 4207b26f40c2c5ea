package forecasts

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/sales/money"
)

// Rates are a tenant's exchange rates: its base currency and, for each
// other currency, the value of one unit of it in the base currency, a
// positive decimal string ("1.0825"). UpdatedAt and UpdatedBy are set by
// the service.
type Rates struct {
	BaseCurrency string            `json:"baseCurrency"`
	Rates        map[string]string `json:"rates"`
	UpdatedAt    *time.Time        `json:"updatedAt,omitempty"`
	UpdatedBy    string            `json:"updatedBy,omitempty"`
}

// maxRates bounds a tenant's rates.
const maxRates = 200

// ErrMissingRate is a conversion needing a rate the tenant has not set.
var ErrMissingRate = errs.New(errs.Unprocessable, "missing-rate", "an exchange rate is missing")

// ErrTooLarge is a figure beyond the range of minor units (int64).
var ErrTooLarge = errs.New(errs.Unprocessable, "figure-too-large", "a figure is beyond the range of minor units")

// exact is the context of conversions: wide enough that only the final
// rounding, half-even to the minor unit, loses anything.
var exact = apd.Context{Precision: 60, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps, Rounding: apd.RoundHalfEven}

// normalize validates r: a known base currency, known other currencies, each
// rate a positive decimal.
func (r *Rates) normalize() error {
	v := errs.NewValidator()
	_, ok := money.Exponent(r.BaseCurrency)
	v.Check(ok, "baseCurrency", "must be an ISO 4217 currency code in upper case (not an X code)")
	if r.Rates == nil {
		r.Rates = map[string]string{}
	}
	v.Check(len(r.Rates) <= maxRates, "rates", fmt.Sprintf("at most %d", maxRates))
	for _, c := range slices.Sorted(maps.Keys(r.Rates)) {
		_, known := money.Exponent(c)
		v.Check(known && c != r.BaseCurrency, "rates/"+c, "must be keyed by an ISO 4217 currency code other than the base currency")
		d, _, err := apd.NewFromString(r.Rates[c])
		v.Check(err == nil && d.Form == apd.Finite && d.Sign() > 0 && len(r.Rates[c]) <= 40, "rates/"+c,
			"must be a positive decimal string: the value of one unit in the base currency")
	}
	return v.Err()
}

// rate is the value of one unit of c in the base currency.
func (r *Rates) rate(c string) (*apd.Decimal, error) {
	if c == r.BaseCurrency {
		return apd.New(1, 0), nil
	}
	s, ok := r.Rates[c]
	if !ok {
		e := ErrMissingRate.WithDetail("no exchange rate for %s: set it in /v1/forecasts/rates", c)
		e.Fields = []errs.FieldError{{Field: "currency", Reason: "no exchange rate for " + c}}
		return nil, e
	}
	d, _, err := apd.NewFromString(s)
	return d, err
}

// converter turns amounts in minor units of a currency into minor units of
// the target currency (exp its minor-unit digits), unrounded, with rates
// (empty when the tenant has set none).
type converter struct {
	rates  *Rates
	target string
	exp    int
}

// convert is minor units of cur in the target's minor units, unrounded: a
// currency without a rate (or the target without one) is ErrMissingRate.
func (c converter) convert(minor *apd.Decimal, cur string) (*apd.Decimal, error) {
	out := new(apd.Decimal)
	curExp, _ := money.Exponent(cur)
	if cur == c.target {
		return out.Set(minor), nil
	}
	from, err := c.rates.rate(cur)
	if err != nil {
		return nil, err
	}
	to, err := c.rates.rate(c.target)
	if err != nil {
		return nil, err
	}
	scale := apd.New(1, int32(c.exp-curExp))
	if _, err := exact.Mul(out, minor, from); err != nil {
		return nil, err
	}
	if _, err := exact.Mul(out, out, scale); err != nil {
		return nil, err
	}
	_, err = exact.Quo(out, out, to)
	return out, err
}

// round is d rounded half-even to a whole number of minor units.
func round(d *apd.Decimal) (int64, error) {
	out := new(apd.Decimal)
	if _, err := exact.Quantize(out, d, 0); err != nil {
		return 0, err
	}
	n, err := out.Int64()
	if err != nil {
		return 0, ErrTooLarge.Wrap(err)
	}
	return n, nil
}
