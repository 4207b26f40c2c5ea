package sla

import (
	"fmt"
	"slices"
	"time"

	"pgregory.net/rapid"
)

// zones are the generators' time zones: none with DST, the two DST zones
// the issue names, a half-hour DST shift, and DST at midnight.
var zones = []string{"UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "America/Santiago"}

// dstChanges are instants near which generated times cluster: the 2026
// and 2027 DST changes of America/New_York and Europe/Berlin, and midnight
// changes of America/Santiago.
var dstChanges = []time.Time{
	time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 6, 0, 0, 0, time.UTC),
	time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC),
	time.Date(2027, 3, 14, 7, 0, 0, 0, time.UTC), time.Date(2027, 10, 31, 1, 0, 0, 0, time.UTC),
	time.Date(2026, 4, 5, 3, 0, 0, 0, time.UTC), time.Date(2026, 9, 6, 4, 0, 0, 0, time.UTC),
}

// genIntervals draws a day's non-overlapping intervals on a 15-minute grid.
func genIntervals(t *rapid.T, label string) []Interval {
	n := rapid.IntRange(0, 3).Draw(t, label+"-n")
	cuts := rapid.SliceOfNDistinct(rapid.IntRange(0, 96), 2*n, 2*n, rapid.ID[int]).Draw(t, label)
	slices.Sort(cuts)
	out := make([]Interval, 0, n)
	for i := 0; i < len(cuts); i += 2 {
		out = append(out, Interval{hhmm(cuts[i] * 15), hhmm(cuts[i+1] * 15)})
	}
	return out
}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// genDate draws a date of 2026 or 2027.
func genDate(t *rapid.T, label string) string {
	return time.Date(2026, 1, 1+rapid.IntRange(0, 729).Draw(t, label), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// genDefinition draws a valid calendar definition in one of zs.
func genDefinition(t *rapid.T, zs []string) Definition {
	d := Definition{TimeZone: rapid.SampledFrom(zs).Draw(t, "zone")}
	if rapid.IntRange(0, 9).Draw(t, "always") == 0 {
		d.AlwaysOpen = true
		return d
	}
	h := &d.Hours
	for _, day := range []*[]Interval{&h.Monday, &h.Tuesday, &h.Wednesday, &h.Thursday, &h.Friday, &h.Saturday, &h.Sunday} {
		*day = genIntervals(t, "hours")
	}
	if len(slices.Concat(h.Monday, h.Tuesday, h.Wednesday, h.Thursday, h.Friday, h.Saturday, h.Sunday)) == 0 {
		h.Wednesday = []Interval{{"09:00", "17:00"}}
	}
	seen := map[string]bool{}
	for range rapid.IntRange(0, 8).Draw(t, "holidays") {
		if day := genDate(t, "holiday"); !seen[day] {
			seen[day] = true
			d.Holidays = append(d.Holidays, Holiday{Date: day})
		}
	}
	for range rapid.IntRange(0, 4).Draw(t, "workdays") {
		if day := genDate(t, "workday"); !seen[day] {
			if ivs := genIntervals(t, "workday-hours"); len(ivs) > 0 {
				seen[day] = true
				d.Workdays = append(d.Workdays, Workday{Date: day, Hours: ivs})
			}
		}
	}
	return d
}

// genCalendar draws a valid calendar in one of zs.
func genCalendar(t *rapid.T, zs []string) (*Calendar, Definition) {
	d := genDefinition(t, zs)
	c, err := d.Calendar()
	if err != nil {
		t.Fatalf("generated definition %+v: %v", d, err)
	}
	return c, d
}

// genInstant draws an instant in 2026–2027 to the second, often near a
// DST change.
func genInstant(t *rapid.T, label string) time.Time {
	if rapid.Bool().Draw(t, label+"-near-dst") {
		at := rapid.SampledFrom(dstChanges).Draw(t, label+"-dst")
		return at.Add(time.Duration(rapid.IntRange(-3*86400, 3*86400).Draw(t, label)) * time.Second)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return start.Add(time.Duration(rapid.IntRange(0, 730*86400).Draw(t, label)) * time.Second)
}

// genDuration draws a business duration up to 80 hours, to the second.
func genDuration(t *rapid.T, label string) time.Duration {
	return time.Duration(rapid.IntRange(0, 80*3600).Draw(t, label)) * time.Second
}

// ordered returns the instants sorted.
func ordered(ts ...time.Time) []time.Time {
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	return ts
}

// mustCalendar builds d's calendar or fails the test.
func mustCalendar(tb interface{ Fatal(...any) }, d Definition) *Calendar {
	c, err := d.Calendar()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
