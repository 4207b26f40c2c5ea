package campaigns

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"golang.org/x/text/currency"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Money is an exact amount in an ISO 4217 currency: Amount a plain
// decimal string ("12500.50"), never a float, with at most the
// currency's minor-unit digits after the point.
type Money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// amountSyntax is a plain non-negative decimal: digits, optionally a point
// and more digits; no sign, exponent or grouping.
var amountSyntax = regexp.MustCompile(`^[0-9]{1,15}(\.[0-9]{1,4})?$`)

// minorDigits is the number of minor-unit digits of an ISO 4217 code
// (golang.org/x/text/currency's CLDR tables), and whether the code is a
// currency of money (upper case, known, no X code).
func minorDigits(code string) (int, bool) {
	u, err := currency.ParseISO(code)
	if err != nil || u.String() != code || strings.HasPrefix(code, "X") {
		return 0, false
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale, true
}

// check validates m on v under path ("budget"), rewriting its amount in
// canonical form: at the currency's scale ("1200.5" EUR is "1200.50").
func (m *Money) check(v *errs.Validator, path string) {
	scale, ok := minorDigits(m.Currency)
	v.Check(ok, path+"/currency", "must be an ISO 4217 currency code in upper case (not an X code)")
	if !amountSyntax.MatchString(m.Amount) {
		v.Check(false, path+"/amount", "must be a decimal string of 0 or more, such as \"12500.50\"")
		return
	}
	if !ok {
		return
	}
	d, _, err := apd.NewFromString(m.Amount)
	if err != nil {
		v.Check(false, path+"/amount", "must be a decimal string of 0 or more, such as \"12500.50\"")
		return
	}
	var exact apd.Decimal
	cond, err := apd.BaseContext.WithPrecision(40).Quantize(&exact, d, -int32(scale))
	if err != nil || cond.Inexact() {
		v.Check(false, path+"/amount", fmt.Sprintf("at most %d digits after the point in %s", scale, m.Currency))
		return
	}
	m.Amount = exact.Text('f')
}
