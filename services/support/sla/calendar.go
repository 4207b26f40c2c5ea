// Package sla times support cases: business-hours calendars, SLA policies
// chosen by conditions, and the clocks of each case (first response, next
// response, resolution) with their pauses, warnings, breaches and
// escalations (issue 18, point 5).
//
// The clock arithmetic (Calendar, Clock) is pure: it knows instants and a
// calendar, no database. Business time is real elapsed time inside working
// hours, so an interval that spans a DST change counts the hours that
// really passed.
package sla

import "time"

// Minutes of a day: a working interval is [Start, End) in minutes since
// local midnight, 0 ≤ Start < End ≤ 1440.
const dayMinutes = 24 * 60

// Span is a working interval of one local day, in minutes since midnight.
type Span struct{ Start, End int }

// Calendar is a business-hours calendar in one time zone. Build it with
// Definition.Calendar, which validates it; the zero Calendar is closed.
type Calendar struct {
	loc    *time.Location
	always bool
	week   [7][]Span      // by time.Weekday
	closed map[int]bool   // holidays, by dayKey
	open   map[int][]Span // extra working days (调休) with their hours, by dayKey
	weekly bool           // some weekday has hours: Add always ends
	last   int            // the latest extra working day, by dayKey
}

// dayKey identifies a local date as yyyymmdd.
func dayKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }

// spans are the working intervals of the local date y-m-d.
func (c *Calendar) spans(y int, m time.Month, d int) []Span {
	k := dayKey(y, m, d)
	if s, ok := c.open[k]; ok {
		return s
	}
	if c.closed[k] {
		return nil
	}
	return c.week[time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()]
}

// walk calls visit with the calendar's working intervals as instants
// [s, e), in order and without overlap, from the local day before from's
// until visit returns false or, for a calendar without weekly hours, past
// its last extra working day. Wall-clock times that a DST change skips or
// repeats map as time.Date maps them; an interval never starts before the
// previous one ended.
func (c *Calendar) walk(from time.Time, visit func(s, e time.Time) bool) {
	l := from.In(c.loc)
	y, m, d := l.Date()
	day := time.Date(y, m, d-1, 12, 0, 0, 0, time.UTC)
	var prev time.Time
	for {
		y, m, d = day.Date()
		if !c.weekly && dayKey(y, m, d) > c.last {
			return
		}
		for _, s := range c.spans(y, m, d) {
			start := c.at(y, m, d, s.Start)
			end := c.at(y, m, d, s.End)
			if start.Before(prev) {
				start = prev
			}
			if !end.After(start) {
				continue
			}
			prev = end
			if !visit(start, end) {
				return
			}
		}
		day = day.AddDate(0, 0, 1)
	}
}

// at is the instant of minute min of the local date y-m-d (1440: the next
// midnight).
func (c *Calendar) at(y int, m time.Month, d, min int) time.Time {
	return time.Date(y, m, d, min/60, min%60, 0, 0, c.loc)
}

// Add returns the earliest instant at which d of business time has
// elapsed since start: start itself for d ≤ 0, the end of a working
// interval when d runs out exactly there. A calendar that never opens
// again returns the zero Time.
func (c *Calendar) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	if c.always {
		return start.Add(d)
	}
	var due time.Time
	c.walk(start, func(s, e time.Time) bool {
		if !e.After(start) {
			return true
		}
		if s.Before(start) {
			s = start
		}
		if left := e.Sub(s); left < d {
			d -= left
			return true
		}
		due = s.Add(d)
		return false
	})
	return due
}

// Between returns the business time from a to b; negative when b is
// before a.
func (c *Calendar) Between(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.Between(b, a)
	}
	if c.always {
		return b.Sub(a)
	}
	var sum time.Duration
	c.walk(a, func(s, e time.Time) bool {
		if !s.Before(b) {
			return false
		}
		if s.Before(a) {
			s = a
		}
		if e.After(b) {
			e = b
		}
		if e.After(s) {
			sum += e.Sub(s)
		}
		return true
	})
	return sum
}
