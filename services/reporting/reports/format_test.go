package reports

import (
	"testing"

	"github.com/cockroachdb/apd/v3"
)

func TestReportsMoneyAndPercent(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Money(123450, 2), "1234.50"},
		{Money(0, 2), "0.00"},
		{Money(-5, 2), "-0.05"},
		{Money(1234, 0), "1234"},
		{Money(1, 3), "0.001"},
		{MoneyQuo(5, 2, 2), "0.02"},  // 2.5 minor units: half-even to 2
		{MoneyQuo(7, 2, 2), "0.04"},  // 3.5 → 4
		{MoneyQuo(10, 3, 2), "0.03"}, // 3.33 → 3
		{MoneyQuo(1, 0, 2), ""},
		{MoneyQuo(1250*75, 100, 2), "9.38"}, // a weighted amount: 937.5 minor units → 938
		{Percent(1, 3), "0.3333"},
		{Percent(2, 3), "0.6667"},
		{Percent(1, 32), "0.0312"}, // 0.03125: half-even
		{Percent(3, 32), "0.0938"}, // 0.09375
		{Percent(0, 5), "0.0000"},
		{Percent(5, 5), "1.0000"},
		{Percent(1, 0), ""},
		{Quo(apd.New(85, 0), apd.New(10, 0), 0), "8"}, // 8.5 → 8
		{Quo(apd.New(95, 0), apd.New(10, 0), 0), "10"},
		{Quo(apd.New(1, 0), apd.New(0, 0), 2), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestReportsISOExponent(t *testing.T) {
	for code, want := range map[string]int{"USD": 2, "JPY": 0, "BHD": 3, "CNY": 2, "XXZ": 2} {
		if got := isoExponent(code); got != want {
			t.Errorf("%s: %d, want %d", code, got, want)
		}
	}
}
