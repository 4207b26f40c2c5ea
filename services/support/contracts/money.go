package contracts

import (
	"errors"
	"math"
	"math/big"
	"regexp"
)

// quantitySyntax is a plain positive decimal of up to 4 places: digits,
// optionally a point and more digits; no sign or exponent.
var quantitySyntax = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,4})?$`)

// errQuantity is a quantity that is not a decimal greater than 0.
var errQuantity = errors.New("not a quantity")

// parseQuantity reads a parts line's quantity, exactly.
func parseQuantity(s string) (*big.Rat, error) {
	q, ok := new(big.Rat).SetString(s)
	if !quantitySyntax.MatchString(s) || !ok || q.Sign() <= 0 {
		return nil, errQuantity
	}
	return q, nil
}

// lineTotal is quantity × unitMinor rounded half to even to minor units;
// ok is false when it does not fit them (or quantity is nil).
func lineTotal(quantity *big.Rat, unitMinor int64) (int64, bool) {
	if quantity == nil {
		return 0, true
	}
	x := new(big.Rat).Mul(quantity, new(big.Rat).SetInt64(unitMinor))
	q, r := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	// Round half to even: compare twice the remainder with the divisor.
	switch new(big.Int).Mul(r, big.NewInt(2)).Cmp(x.Denom()) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

// addMinor is a + b, with ok false when it overflows.
func addMinor(a, b int64) (int64, bool) {
	if b > 0 && a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}
