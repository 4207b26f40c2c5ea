// Package money is the money of the sales service: amounts in the minor
// units of an ISO 4217 currency (never floating point), the currencies'
// minor-unit digits from golang.org/x/text/currency, and the arithmetic of
// line items (quantity × unit price less a discount, rounded half-even to
// the currency's minor unit) in decimals of github.com/cockroachdb/apd/v3.
// Opportunities (package deals) and the catalogue's price books (package
// catalog) share it.
package money

import (
	"fmt"
	"strings"

	"golang.org/x/text/currency"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Money is an amount in the minor units of an ISO 4217 currency (cents of
// EUR, yen of JPY, fils of KWD): never a floating-point number. Exponent is
// the currency's number of minor-unit digits, set by the service; a request
// may state it, and then it must be the currency's.
type Money struct {
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
	Exponent *int   `json:"exponent,omitempty"`
}

// Exponent returns the number of minor-unit digits of an ISO 4217 code,
// from golang.org/x/text/currency's tables (CLDR), and whether the code is
// a currency: upper case, known, and not an X code (precious metals, funds,
// testing, no currency), which has no minor unit of money.
func Exponent(code string) (int, bool) {
	u, err := currency.ParseISO(code)
	if err != nil || u.String() != code || strings.HasPrefix(code, "X") {
		return 0, false
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale, true
}

// Check validates m on v, naming its fields under path ("amount"): a known
// currency, minor units of 0 or more, and the exponent, if stated, the
// currency's. It sets the exponent.
func (m *Money) Check(v *errs.Validator, path string) {
	exp, ok := Exponent(m.Currency)
	v.Check(ok, path+"/currency", "must be an ISO 4217 currency code in upper case (not an X code)")
	v.Check(m.Minor >= 0, path+"/minor", "must be an integer of minor units, 0 or more")
	v.Check(!ok || m.Exponent == nil || *m.Exponent == exp, path+"/exponent", fmt.Sprintf("must be %d, the minor-unit digits of %s", exp, m.Currency))
	m.Exponent = &exp
}
