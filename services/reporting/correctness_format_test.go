package reporting_test

import (
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The oracle's arithmetic and the JSON cells it compares (written here
// from the contract, not taken from package reports): money with its
// currency's digits, ratios rounded half-even, percentile_disc, ntile,
// and UTC periods.

// crRow is a report row: each column's JSON value as text (a string
// quoted, a number as written, null).
type crRow map[string]string

// crS is a string cell.
func crS(s string) string { return strconv.Quote(s) }

// crI is an integer cell.
func crI(n int64) string { return strconv.FormatInt(n, 10) }

// crNull is a null cell.
const crNull = "null"

// crOpt is an integer cell, null unless ok.
func crOpt(n int64, ok bool) string {
	if !ok {
		return crNull
	}
	return crI(n)
}

// crFixed writes the integer q as a decimal with places digits after the
// point (q = 12345, places 2: "123.45").
func crFixed(q *big.Int, places int) string {
	neg := q.Sign() < 0
	digits := new(big.Int).Abs(q).String()
	if places > 0 {
		if len(digits) <= places {
			digits = strings.Repeat("0", places-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-places] + "." + digits[len(digits)-places:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// crMoney writes minor units of a currency with exp digits.
func crMoney(minor int64, exp int) string { return crFixed(big.NewInt(minor), exp) }

// crQuo writes num/den rounded half-even to places digits; "" when den
// is 0.
func crQuo(num, den int64, places int) string {
	if den == 0 {
		return ""
	}
	n := new(big.Int).Mul(big.NewInt(num), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil))
	return crFixed(crRoundQuo(n, big.NewInt(den)), places)
}

// crRoundQuo is n/d rounded half-even to an integer.
func crRoundQuo(n, d *big.Int) *big.Int {
	n, d = new(big.Int).Set(n), new(big.Int).Set(d)
	if d.Sign() < 0 {
		n.Neg(n)
		d.Neg(d)
	}
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	twice := new(big.Int).Lsh(new(big.Int).Abs(r), 1)
	if c := twice.Cmp(d); c > 0 || c == 0 && q.Bit(0) == 1 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// crDiv is num/den rounded half-even to an integer.
func crDiv(num, den int64) int64 { return crRoundQuo(big.NewInt(num), big.NewInt(den)).Int64() }

// crMoneyQuo writes minor/n minor units rounded half-even to a whole
// minor unit; "" when n is 0.
func crMoneyQuo(minor, n int64, exp int) string {
	if n == 0 {
		return ""
	}
	return crMoney(crDiv(minor, n), exp)
}

// crPct writes the ratio num/den with 4 places; "" when den is 0.
func crPct(num, den int64) string { return crQuo(num, den, 4) }

// crPercentile is PostgreSQL's percentile_disc(f) of vals (the first
// value whose position in order reaches f); false for none.
func crPercentile(vals []int64, f float64) (int64, bool) {
	if len(vals) == 0 {
		return 0, false
	}
	s := append([]int64{}, vals...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	row := int(math.Ceil(f * float64(len(s))))
	return s[max(row, 1)-1], true
}

// crNtile returns the bucket (1..buckets) of each of n rows in order, as
// ntile does: the first n % buckets buckets one row larger.
func crNtile(n, buckets int) []int {
	out := make([]int, 0, n)
	size, extra := n/buckets, n%buckets
	for b := 1; b <= buckets; b++ {
		rows := size
		if b <= extra {
			rows++
		}
		for range rows {
			out = append(out, b)
		}
	}
	return out
}

// crSecs is the whole seconds from a to b.
func crSecs(a, b time.Time) int64 { return int64(math.Floor(b.Sub(a).Seconds())) }

// crDays is the whole days from a to b.
func crDays(a, b time.Time) int64 { return int64(math.Floor(b.Sub(a).Hours() / 24)) }

// crBucket is the start of t's month or quarter (UTC).
func crBucket(t time.Time, interval string) time.Time {
	t = t.UTC()
	m := t.Month()
	if interval == "quarter" {
		m = (m-1)/3*3 + 1
	}
	return time.Date(t.Year(), m, 1, 0, 0, 0, 0, time.UTC)
}

// crNext is the start of the period after b's.
func crNext(b time.Time, interval string) time.Time {
	if interval == "quarter" {
		return b.AddDate(0, 3, 0)
	}
	return b.AddDate(0, 1, 0)
}

// crPeriods are the starts of the periods [from, to) touches.
func crPeriods(from, to time.Time, interval string) []time.Time {
	var out []time.Time
	for b := crBucket(from, interval); b.Before(to); b = crNext(b, interval) {
		out = append(out, b)
	}
	return out
}

// crIn says whether t lies in [from, to).
func crIn(t, from, to time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }

// crDate writes a period's start.
func crDate(t time.Time) string { return crS(t.Format(time.DateOnly)) }

// crKey is a row's key: its period (zero for none) and its groups.
type crKey struct {
	period time.Time
	group  string
	sub    string // a second grouping (a stage, a type), "" none
	subPos int    // its position in its order
}

// crSortKeys sorts keys by period, group (bytewise), then sub's
// position and sub.
func crSortKeys(keys []crKey) {
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		switch {
		case !a.period.Equal(b.period):
			return a.period.Before(b.period)
		case a.group != b.group:
			return a.group < b.group
		case a.subPos != b.subPos:
			return a.subPos < b.subPos
		}
		return a.sub < b.sub
	})
}

// crMapKeys returns m's keys sorted (crSortKeys).
func crMapKeys[V any](m map[crKey]V) []crKey {
	keys := make([]crKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	crSortKeys(keys)
	return keys
}
