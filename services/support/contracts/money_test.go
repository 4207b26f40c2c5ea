package contracts

import (
	"math"
	"testing"
)

func TestLineTotalRoundsHalfToEven(t *testing.T) {
	for _, c := range []struct {
		quantity string
		unit     int64
		want     int64
	}{
		{"1", 1000, 1000},
		{"2.5", 199, 498}, // 497.5 → 498 (even)
		{"2.5", 197, 492}, // 492.5 → 492 (even)
		{"0.0625", 4, 0},  // 0.25 → 0
		{"0.0625", 10, 1}, // 0.625 → 1
		{"3.3333", 3, 10}, // 9.9999 → 10
		{"1.5", 1, 2},     // 1.5 → 2
		{"0.5", 1, 0},     // 0.5 → 0
		{"10", 0, 0},      // free parts
		{"000012.5000", 2, 25},
	} {
		q, err := parseQuantity(c.quantity)
		if err != nil {
			t.Fatalf("%s: %v", c.quantity, err)
		}
		if got, ok := lineTotal(q, c.unit); !ok || got != c.want {
			t.Errorf("%s × %d = %d (%v), want %d", c.quantity, c.unit, got, ok, c.want)
		}
	}
	q, _ := parseQuantity("2")
	if _, ok := lineTotal(q, math.MaxInt64); ok {
		t.Error("a total past int64 fits")
	}
	if _, ok := addMinor(math.MaxInt64, 1); ok {
		t.Error("a sum past int64 fits")
	}
}

func TestParseQuantityRefuses(t *testing.T) {
	for _, s := range []string{"", "0", "0.0", "-1", "+1", "1e3", "1.23456", ".5", "5.", "NaN", "1,5", " 1", "1234567890123"} {
		if _, err := parseQuantity(s); err == nil {
			t.Errorf("%q is a quantity", s)
		}
	}
}
