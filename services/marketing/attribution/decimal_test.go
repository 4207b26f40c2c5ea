package attribution

import "testing"

// TestDecimalText writes minor units as the currency's decimal.
func TestDecimalText(t *testing.T) {
	for _, tc := range []struct {
		minor    int64
		exponent int
		want     string
	}{{66667, 2, "666.67"}, {5, 2, "0.05"}, {1000, 0, "1000"}, {1234567, 3, "1234.567"}, {0, 2, "0.00"}} {
		if got := decimalText(tc.minor, tc.exponent); got != tc.want {
			t.Errorf("decimalText(%d, %d) = %s, want %s", tc.minor, tc.exponent, got, tc.want)
		}
	}
}
