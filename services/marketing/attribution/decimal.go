package attribution

import "github.com/cockroachdb/apd/v3"

// exact computes a report's sums and ROI without rounding but at the end
// (roiPlaces, half-even).
var exact = apd.Context{Precision: 60, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent, Traps: apd.DefaultTraps,
	Rounding: apd.RoundHalfEven}

// decimalText is minor units of a currency of exponent minor-unit digits
// as a plain decimal ("666.67").
func decimalText(minor int64, exponent int) string {
	return apd.New(minor, -int32(exponent)).Text('f')
}
