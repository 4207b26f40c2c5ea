package money

import (
	"errors"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

func TestLineTotal(t *testing.T) {
	for _, c := range []struct {
		name, quantity, discount string
		unit                     int64
		currency                 string
		want                     int64
	}{
		{"plain", "3", "", 1999, "EUR", 5997},
		{"BHD 3 × 33.335 less 12.5%: 87504.375 fils", "3", "12.5", 33335, "BHD", 87504},
		{"EUR 33.335 × 3.00 less 12.5%: 8750.4375 cents", "33.335", "12.5", 300, "EUR", 8750},
		{"JPY 3 × 333 less 12.5%: 874.125 yen", "3", "12.5", 333, "JPY", 874},
		{"JPY 1 × 7 less 50%: 3.5 yen, half to even", "1", "50", 7, "JPY", 4},
		{"JPY 1 × 5 less 50%: 2.5 yen, half to even", "1", "50", 5, "JPY", 2},
		{"half a cent to even (down)", "0.5", "", 1, "EUR", 0},
		{"one and a half cents to even (up)", "1.5", "", 1, "EUR", 2},
		{"two and a half cents to even (down)", "2.5", "0", 1, "USD", 2},
		{"12 cents less 12.5% is 10.5", "1", "12.5", 12, "EUR", 10},
		{"4 cents less 12.5% is 3.5", "1", "12.50", 4, "EUR", 4},
		{"a ten-thousandth of a unit", "0.0001", "", 100, "EUR", 0},
		{"full discount", "7", "100", 1999, "EUR", 0},
		{"discount with two places", "1", "33.33", 10000, "BHD", 6667},
		{"free", "5", "", 0, "EUR", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			q, err := ParseQuantity(c.quantity)
			if err != nil {
				t.Fatal(err)
			}
			d, err := ParseDiscount(c.discount)
			if err != nil {
				t.Fatal(err)
			}
			got, err := LineTotal(q, Money{Minor: c.unit, Currency: c.currency}, d)
			if err != nil {
				t.Fatal(err)
			}
			exp, _ := Exponent(c.currency)
			if got.Minor != c.want || got.Currency != c.currency || got.Exponent == nil || *got.Exponent != exp {
				t.Errorf("LineTotal = %d %s, want %d %s (exponent %d)", got.Minor, got.Currency, c.want, c.currency, exp)
			}
		})
	}
}

func TestLineTotalTooLarge(t *testing.T) {
	q, _ := ParseQuantity("1000000")
	d, _ := ParseDiscount("")
	if _, err := LineTotal(q, Money{Minor: 1 << 62, Currency: "EUR"}, d); !errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v, want ErrTooLarge", err)
	}
}

func TestTotalSumsRoundedLines(t *testing.T) {
	// Three lines of 1 × 0.5 cents less nothing are 0 each (half to even),
	// so 0 in total, not the 1.5 → 2 cents of summing before rounding.
	q, _ := ParseQuantity("0.5")
	d, _ := ParseDiscount("")
	var lines []Money
	for range 3 {
		l, err := LineTotal(q, Money{Minor: 1, Currency: "EUR"}, d)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	lines = append(lines, Money{Minor: 1234, Currency: "EUR"})
	if got, err := Total("EUR", lines); err != nil || got.Minor != 1234 {
		t.Errorf("Total = %+v, %v; want 1234", got, err)
	}
	if _, err := Total("EUR", []Money{{Minor: 1, Currency: "USD"}}); errs.KindOf(err) != errs.Invalid {
		t.Errorf("mixed currencies: err = %v, want invalid", err)
	}
	if _, err := Total("EUR", []Money{{Minor: 1 << 62, Currency: "EUR"}, {Minor: 1 << 62, Currency: "EUR"}}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("overflow: err = %v, want ErrTooLarge", err)
	}
}

func TestParseRefusesBadDecimals(t *testing.T) {
	for _, s := range []string{"", "0", "0.0000", "-1", "1e3", "1.00001", "NaN", "Infinity", " 1", "1.", ".5", "+1", "1234567890123456789"} {
		if _, err := ParseQuantity(s); err == nil {
			t.Errorf("ParseQuantity(%q) accepted", s)
		}
	}
	for _, s := range []string{"100.01", "-1", "12.345", "1e1", "abc", "101"} {
		if _, err := ParseDiscount(s); err == nil {
			t.Errorf("ParseDiscount(%q) accepted", s)
		}
	}
	for _, s := range []string{"0", "100", "100.00", "12.5", "0.01"} {
		if _, err := ParseDiscount(s); err != nil {
			t.Errorf("ParseDiscount(%q): %v", s, err)
		}
	}
}

func TestExponent(t *testing.T) {
	for code, want := range map[string]int{"EUR": 2, "JPY": 0, "BHD": 3, "KWD": 3, "CNY": 2} {
		if got, ok := Exponent(code); !ok || got != want {
			t.Errorf("Exponent(%s) = %d, %v; want %d", code, got, ok, want)
		}
	}
	for _, code := range []string{"eur", "XAU", "XXX", "ABC", ""} {
		if _, ok := Exponent(code); ok {
			t.Errorf("Exponent(%s) accepted", code)
		}
	}
}
