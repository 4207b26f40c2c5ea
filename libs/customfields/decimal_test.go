package customfields

import (
	"encoding/json"
	"testing"
)

func TestDecimalText(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want string // "" for invalid
	}{
		{"12500.50", "12500.5"},
		{json.Number("12500.5"), "12500.5"},
		{12500.5, "12500.5"},
		{json.Number("1.25005e4"), "12500.5"},
		{"1E+3", "1000"},
		{"007", "7"},
		{"-0.000", "0"},
		{"0", "0"},
		{"-12.3400", "-12.34"},
		{"123456789012345678901234567890.0123456789", "123456789012345678901234567890.0123456789"},
		{"1234567890123456789012345678901", ""}, // 31 digits before the point
		{"0.01234567891", ""},                   // 11 after
		{"0.012345678910000", ""},               // still 11 without its trailing zeros
		{"0.123456789000000", "0.123456789"},
		{json.Number("1e30"), ""},
		{json.Number("1e29"), "100000000000000000000000000000"},
		{"1e-10", "0.0000000001"},
		{"1e-11", ""},
		{"1e999999999999", ""},
		{"NaN", ""}, {"Infinity", ""}, {"inf", ""}, {"+1", ""}, {" 1", ""}, {"1 ", ""},
		{"1.", ""}, {".5", ""}, {"1e", ""}, {"0x10", ""}, {"1_000", ""}, {"12,5", ""}, {"", ""},
		{true, ""}, {nil, ""}, {[]any{"1"}, ""},
	} {
		got, ok := decimalText(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("decimalText(%#v) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}
