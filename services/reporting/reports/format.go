package reports

import (
	"context"
	"fmt"
	"regexp"

	"github.com/cockroachdb/apd/v3"
	"github.com/jmoiron/sqlx"
	"golang.org/x/text/currency"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// How every report writes its figures (the contract's "Amounts" and
// "Percent measures"): money as a decimal string with its currency's
// exponent digits, rounded half-even; percents as a ratio with 4 places,
// half-even, "" when the denominator is 0. Reports use these helpers
// rather than their own arithmetic, and never floats.

// CurrencyParam is the extra query parameter of a report with amount
// measures: the report currency (3 letters). A Definition lists it in
// Extra (use AmountExtra); the framework then resolves it into
// Params.Currency before Run.
const CurrencyParam = "currency"

// PercentPlaces are the decimal places of a percent measure.
const PercentPlaces = 4

// Currency is a report's currency: its code ("" when the tenant has no
// opportunities) and its exponent (the digits of its minor unit).
type Currency struct {
	Code     string
	Exponent int
}

// Money writes minor units of c as a decimal string ("1234.50").
func (c Currency) Money(minor int64) string { return Money(minor, c.Exponent) }

// MoneyQuo writes minor/n minor units of c, rounded half-even to a whole
// minor unit (an average, a weighted amount); "" when n is 0.
func (c Currency) MoneyQuo(minor, n int64) string { return MoneyQuo(minor, n, c.Exponent) }

// exact is the decimal context of the helpers: precise enough for any
// quotient of two int64s, rounding half-even.
var exact = apd.Context{Precision: 60, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent,
	Traps: apd.DefaultTraps, Rounding: apd.RoundHalfEven}

// Money writes minor units of a currency with exponent digits as a
// decimal string: Money(123450, 2) = "1234.50", Money(0, 2) = "0.00".
func Money(minor int64, exponent int) string {
	return apd.New(minor, -int32(exponent)).Text('f')
}

// MoneyQuo writes the amount minor/n minor units, rounded half-even to a
// whole minor unit, as Money does; "" when n is 0. A weighted amount is
// MoneyQuo(sum(amount × probability), 100, exponent), an average deal
// size MoneyQuo(sum, count, exponent).
func MoneyQuo(minor, n int64, exponent int) string {
	if n == 0 {
		return ""
	}
	var q apd.Decimal
	if _, err := exact.Quo(&q, apd.New(minor, -int32(exponent)), apd.New(n, 0)); err != nil {
		return ""
	}
	return Round(&q, exponent)
}

// Percent writes num/den as a ratio with PercentPlaces places, rounded
// half-even ("0.3333"); "" when den is 0.
func Percent(num, den int64) string { return Quo(apd.New(num, 0), apd.New(den, 0), PercentPlaces) }

// Quo writes num/den rounded half-even to places decimal places; "" when
// den is 0 (a ROI over a cost, a CSAT average, an NPS).
func Quo(num, den *apd.Decimal, places int) string {
	if den.IsZero() {
		return ""
	}
	var q apd.Decimal
	if _, err := exact.Quo(&q, num, den); err != nil {
		return ""
	}
	return Round(&q, places)
}

// Round writes d rounded half-even to places decimal places.
func Round(d *apd.Decimal, places int) string {
	var out apd.Decimal
	if _, err := exact.Quantize(&out, d, -int32(places)); err != nil {
		return d.Text('f')
	}
	return out.Text('f')
}

// currencyCode is what the currency parameter takes.
var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// AmountExtra returns extra with the currency parameter added: the Extra
// of a report with amount measures (nil: only the currency).
func AmountExtra(extra map[string][]string) map[string][]string {
	out := map[string][]string{CurrencyParam: nil}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// ReportCurrency picks the currency of a report in gen: code when given,
// else the currency most of the tenant's non-deleted opportunities have
// (a tie: the alphabetically first); none: "" (and amounts "0"). Its
// exponent is the one its opportunities (else forecasts) carry, else
// ISO 4217's.
func ReportCurrency(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, code string) (Currency, error) {
	if code == "" {
		var codes []string
		err := tx.SelectContext(ctx, &codes, `SELECT currency FROM rm_opportunities
			WHERE gen = $1 AND NOT deleted AND currency <> ''
			GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1`, gen)
		if err != nil {
			return Currency{}, fmt.Errorf("reports: currency: %w", err)
		}
		if len(codes) == 0 {
			return Currency{}, nil
		}
		code = codes[0]
	}
	var exps []int
	err := tx.SelectContext(ctx, &exps, `SELECT exponent FROM (
			(SELECT exponent FROM rm_opportunities WHERE gen = $1 AND currency = $2 ORDER BY version DESC LIMIT 1)
			UNION ALL
			(SELECT exponent FROM rm_forecasts WHERE gen = $1 AND currency = $2 ORDER BY set_at DESC LIMIT 1)) e LIMIT 1`,
		gen, code)
	if err != nil {
		return Currency{}, fmt.Errorf("reports: currency exponent: %w", err)
	}
	if len(exps) > 0 {
		return Currency{Code: code, Exponent: exps[0]}, nil
	}
	return Currency{Code: code, Exponent: isoExponent(code)}, nil
}

// isoExponent is code's exponent by ISO 4217; 2 for a code it lacks.
func isoExponent(code string) int {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(unit)
	return scale
}
