// Package forecasts is the sales forecast (issue 15, point 9): per period
// (a quarter or a month, by close date) the opportunities' figures per
// forecast category for the tenant, each owner or each team, converted into
// one currency with the tenant's exchange rates, and the managers'
// overrides shown beside them.
package forecasts

import (
	"regexp"
	"strconv"
	"time"
)

// Period is a quarter ("2027-Q1") or a month ("2027-03") of close dates,
// From and To inclusive (YYYY-MM-DD).
type Period struct {
	Name     string
	From, To string
}

// periodPattern is a quarter or a month of a year.
var periodPattern = regexp.MustCompile(`^([0-9]{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))$`)

// ParsePeriod reads a quarter or a month; false when it is neither.
func ParsePeriod(s string) (Period, bool) {
	m := periodPattern.FindStringSubmatch(s)
	if m == nil {
		return Period{}, false
	}
	year, _ := strconv.Atoi(m[1])
	first, months := 0, 1
	if m[2] != "" {
		q, _ := strconv.Atoi(m[2])
		first, months = 3*(q-1)+1, 3
	} else {
		first, _ = strconv.Atoi(m[3])
	}
	from := time.Date(year, time.Month(first), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, months, -1)
	return Period{Name: s, From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}, true
}
