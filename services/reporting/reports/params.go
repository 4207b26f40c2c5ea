package reports

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// The query parameters every report takes (besides its Extra); interval
// only a periodic one.
const (
	// ParamFrom is the period's start: a date or an RFC 3339 time.
	ParamFrom = "from"
	// ParamTo is the period's end (exclusive): a date or an RFC 3339 time.
	ParamTo = "to"
	// ParamRange is a named period, one of Ranges, instead of from and to.
	ParamRange = "range"
	// ParamInterval is the length of a periodic report's periods.
	ParamInterval = "interval"
	// ParamGroupBy is the dimension the report groups by.
	ParamGroupBy = "groupBy"
	// ParamFilter is a libs/filter expression (JSON) over the report's
	// Filter schema.
	ParamFilter = "filter"
)

// Limits of a report's period.
const (
	// MaxPeriods is the most periods a periodic report answers.
	MaxPeriods = 1000
	// MaxDayYears is the longest span, in years, a report at interval day
	// covers.
	MaxDayYears = 5
)

// Ranges are the named periods range takes, relative to now (UTC).
var Ranges = []string{"last_7_days", "last_30_days", "last_90_days", "this_month", "last_month", "this_quarter",
	"last_quarter", "this_year", "last_year", "last_12_months"}

// parseParams reads q, the query of the report d, at now: the period
// (from, to or range; default the last 12 months up to the end of today),
// interval, groupBy, filter and d's Extra. Every parameter at fault is
// named in one Invalid error; so is a parameter d does not take (other
// than those of allowed, the route's own).
func parseParams(d Definition, q url.Values, now time.Time, allowed ...string) (Params, error) {
	v := errs.NewValidator()
	known := append([]string{ParamFrom, ParamTo, ParamRange, ParamInterval, ParamGroupBy, ParamFilter}, allowed...)
	for _, k := range sortedKeys(q) {
		_, extra := d.Extra[k]
		v.Check(slices.Contains(known, k) || extra, k, "is no parameter of report "+d.Name+"; it takes "+
			strings.Join(append(slices.Clone(known), sortedKeys(d.Extra)...), ", "))
		v.Check(len(q[k]) == 1, k, "must be given once")
	}
	p := Params{Extra: url.Values{}}
	p.From, p.To = period(q, now, v)
	p.Interval = q.Get(ParamInterval)
	allowedIntervals := d.Intervals
	if allowedIntervals == nil {
		allowedIntervals = Intervals
	}
	switch {
	case !d.Periodic:
		v.Check(p.Interval == "", ParamInterval, "report "+d.Name+" has no periods")
	case p.Interval == "" && slices.Contains(allowedIntervals, Month):
		p.Interval = Month
	case p.Interval == "":
		p.Interval = allowedIntervals[0]
	default:
		v.Check(slices.Contains(allowedIntervals, p.Interval), ParamInterval, oneOf(allowedIntervals))
	}
	p.GroupBy = q.Get(ParamGroupBy)
	if p.GroupBy == "" {
		p.GroupBy = d.DefaultGroupBy
	}
	v.Check(p.GroupBy == "" || slices.Contains(d.GroupBys, p.GroupBy), ParamGroupBy, oneOf(d.GroupBys))
	for _, k := range sortedKeys(d.Extra) {
		val, values := q.Get(k), d.Extra[k]
		switch {
		case val == "":
		case k == CurrencyParam:
			v.Check(currencyCode.MatchString(val), k, "must be a currency code of 3 capital letters (ISO 4217)")
		case values != nil:
			v.Check(slices.Contains(values, val), k, oneOf(values))
		}
		if val != "" {
			p.Extra.Set(k, val)
		}
	}
	if err := v.Err(); err != nil {
		return Params{}, err
	}
	if err := checkSpan(d, p); err != nil {
		return Params{}, err
	}
	if s := q.Get(ParamFilter); s != "" {
		n, err := filter.Parse([]byte(s))
		if err != nil {
			return Params{}, err
		}
		if _, _, err := filter.Compile(n, d.Filter, 1); err != nil {
			return Params{}, err
		}
		p.Filter = n
	}
	return p, nil
}

// period reads the period of q: from and to (dates or RFC 3339 times, to
// exclusive), or range; the last 12 months up to the end of today when
// none. A fault is checked into v.
func period(q url.Values, now time.Time, v *errs.Validator) (from, to time.Time) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if r := q.Get(ParamRange); r != "" {
		v.Check(q.Get(ParamFrom) == "" && q.Get(ParamTo) == "", ParamRange, "must not be given with from or to")
		from, to, ok := namedRange(r, today)
		v.Check(ok, ParamRange, oneOf(Ranges))
		return from, to
	}
	to = today.AddDate(0, 0, 1)
	if s := q.Get(ParamTo); s != "" {
		t, ok := ParseTime(s)
		v.Check(ok, ParamTo, "must be a date (2026-03-01) or an RFC 3339 time")
		to = t
	}
	from = to.AddDate(0, -12, 0)
	if s := q.Get(ParamFrom); s != "" {
		t, ok := ParseTime(s)
		v.Check(ok, ParamFrom, "must be a date (2026-03-01) or an RFC 3339 time")
		from = t
	}
	v.Check(from.Before(to), ParamTo, "must be after from")
	return from, to
}

// ParseTime reads a date (midnight UTC) or an RFC 3339 time, in UTC, as
// from and to take them; ok false when s is neither.
func ParseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err == nil
}

// namedRange returns the period of the named range r relative to today
// (midnight UTC); ok false for an unknown name.
func namedRange(r string, today time.Time) (from, to time.Time, ok bool) {
	tomorrow := today.AddDate(0, 0, 1)
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	quarter := time.Date(today.Year(), (today.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	switch r {
	case "last_7_days":
		return tomorrow.AddDate(0, 0, -7), tomorrow, true
	case "last_30_days":
		return tomorrow.AddDate(0, 0, -30), tomorrow, true
	case "last_90_days":
		return tomorrow.AddDate(0, 0, -90), tomorrow, true
	case "this_month":
		return month, month.AddDate(0, 1, 0), true
	case "last_month":
		return month.AddDate(0, -1, 0), month, true
	case "this_quarter":
		return quarter, quarter.AddDate(0, 3, 0), true
	case "last_quarter":
		return quarter.AddDate(0, -3, 0), quarter, true
	case "this_year":
		return year, year.AddDate(1, 0, 0), true
	case "last_year":
		return year.AddDate(-1, 0, 0), year, true
	case "last_12_months":
		return tomorrow.AddDate(0, -12, 0), tomorrow, true
	}
	return time.Time{}, time.Time{}, false
}

// checkSpan refuses a period too long for its interval: more than
// MaxDayYears at interval day, more than MaxPeriods periods.
func checkSpan(d Definition, p Params) error {
	if !d.Periodic {
		return nil
	}
	if p.Interval == Day && p.From.AddDate(MaxDayYears, 0, 0).Before(p.To) {
		return invalid(ParamInterval, fmt.Sprintf("day covers at most %d years; use week, month, quarter or year", MaxDayYears))
	}
	if n := len(Periods(p.From, p.To, p.Interval)); n > MaxPeriods {
		return invalid(ParamInterval, fmt.Sprintf("the period has %d %ss, more than %d; use a longer interval", n, p.Interval, MaxPeriods))
	}
	return nil
}

// Bucket returns the start of t's period at interval, as PostgreSQL's
// date_trunc does in UTC (week: the ISO week, from Monday).
func Bucket(t time.Time, interval string) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch interval {
	case Day:
		return day
	case Week:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case Quarter:
		return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case Year:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Next returns the start of the period after the one starting at b.
func Next(b time.Time, interval string) time.Time {
	switch interval {
	case Day:
		return b.AddDate(0, 0, 1)
	case Week:
		return b.AddDate(0, 0, 7)
	case Quarter:
		return b.AddDate(0, 3, 0)
	case Year:
		return b.AddDate(1, 0, 0)
	}
	return b.AddDate(0, 1, 0)
}

// Periods returns the starts of the periods at interval that [from, to)
// touches, stopping after MaxPeriods+1.
func Periods(from, to time.Time, interval string) []time.Time {
	var out []time.Time
	for b := Bucket(from, interval); b.Before(to) && len(out) <= MaxPeriods; b = Next(b, interval) {
		out = append(out, b)
	}
	return out
}

// BucketSQL is the SQL of the period of the timestamptz column col at
// p.Interval: date_trunc in UTC, a timestamp without time zone (a
// period column's value; scan it as time.Time). p.Interval is one of
// Intervals, so the text is safe.
func (p Params) BucketSQL(col string) string {
	return "date_trunc('" + p.Interval + "', " + col + " AT TIME ZONE 'UTC')"
}

// AddFilter ANDs p.Filter, compiled over s, to q (its parameters after
// q's).
func (p Params) AddFilter(q *pgrecord.Query, s filter.Schema) error {
	if p.Filter == nil {
		return nil
	}
	where, args, err := filter.Compile(p.Filter, s, len(q.Args)+1)
	if err != nil {
		return err
	}
	q.Conds = append(q.Conds, where)
	q.Args = append(q.Args, args...)
	return nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
