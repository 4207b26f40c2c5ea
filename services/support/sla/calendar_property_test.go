package sla

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Add and Between are inverse: d of business time after a is d later by
// Between, and adding the business time from a to b reaches b or the end
// of the last working interval before it.
func TestPropertyAddBetweenInverse(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c, _ := genCalendar(t, zones)
		a, b := genInstant(t, "a"), genInstant(t, "b")
		d := genDuration(t, "d")
		if got := c.Between(a, c.Add(a, d)); got != d {
			t.Fatalf("Between(a, Add(a, %v)) = %v", d, got)
		}
		if b.Before(a) {
			a, b = b, a
		}
		back := c.Add(a, c.Between(a, b))
		if back.After(b) || c.Between(back, b) != 0 {
			t.Fatalf("Add(a, Between(a, b)) = %v, b = %v, business time between them %v", back, b, c.Between(back, b))
		}
	})
}

// Between is additive over splits and antisymmetric.
func TestPropertyBetweenAdditive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c, _ := genCalendar(t, zones)
		ts := ordered(genInstant(t, "a"), genInstant(t, "b"), genInstant(t, "c"))
		a, b, x := ts[0], ts[1], ts[2]
		if whole, parts := c.Between(a, x), c.Between(a, b)+c.Between(b, x); whole != parts {
			t.Fatalf("Between(a, c) = %v, Between(a, b) + Between(b, c) = %v", whole, parts)
		}
		if c.Between(x, a) != -c.Between(a, x) {
			t.Fatal("Between is not antisymmetric")
		}
	})
}

// Add is monotone in its duration and its start; Between never exceeds
// the wall-clock time and never goes negative forwards.
func TestPropertyMonotone(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c, _ := genCalendar(t, zones)
		ts := ordered(genInstant(t, "a"), genInstant(t, "b"))
		a, b := ts[0], ts[1]
		d1, d2 := genDuration(t, "d1"), genDuration(t, "d2")
		if d2 < d1 {
			d1, d2 = d2, d1
		}
		if c.Add(a, d2).Before(c.Add(a, d1)) {
			t.Fatalf("Add(a, %v) before Add(a, %v)", d2, d1)
		}
		if c.Add(b, d1).Before(c.Add(a, d1)) {
			t.Fatal("a later start is due earlier")
		}
		if got := c.Between(a, b); got < 0 || got > b.Sub(a) {
			t.Fatalf("Between(a, b) = %v, wall clock %v", got, b.Sub(a))
		}
	})
}

// A 24/7 calendar, and one open 00:00–24:00 every day in any zone, count
// wall-clock durations, DST days included.
func TestPropertyAlwaysOpenIsWallClock(t *testing.T) {
	allDay := []Interval{{"00:00", "24:00"}}
	rapid.Check(t, func(t *rapid.T) {
		zone := rapid.SampledFrom(zones).Draw(t, "zone")
		always := mustCalendar(t, Definition{TimeZone: zone, AlwaysOpen: true})
		full := mustCalendar(t, Definition{TimeZone: zone, Hours: WeekHours{allDay, allDay, allDay, allDay, allDay, allDay, allDay}})
		a, b := genInstant(t, "a"), genInstant(t, "b")
		d := genDuration(t, "d")
		for _, c := range []*Calendar{always, full} {
			if got := c.Between(a, b); got != b.Sub(a) {
				t.Fatalf("%s (always %v): Between = %v, wall clock %v", zone, c == always, got, b.Sub(a))
			}
			if got := c.Add(a, d); !got.Equal(a.Add(d)) {
				t.Fatalf("%s (always %v): Add = %v, want %v", zone, c == always, got, a.Add(d))
			}
		}
	})
}

// In zones without DST, Between equals a minute-by-minute count of the
// definition's open minutes: nothing accrues on holidays, on days off,
// outside the hours or during lunch breaks, and adjusted workdays count
// their own hours.
func TestPropertyBetweenCountsOpenMinutes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c, d := genCalendar(t, []string{"UTC", "Asia/Shanghai"})
		a := genInstant(t, "a").Truncate(time.Minute)
		b := a.Add(time.Duration(rapid.IntRange(0, 10*24*60).Draw(t, "minutes")) * time.Minute)
		if got, want := c.Between(a, b), openMinutes(d, a, b); got != want {
			t.Fatalf("Between(%v, %v) = %v, open minutes %v", a, b, got, want)
		}
	})
}

// openMinutes counts the minutes of [a, b) that d's definition opens,
// reading the definition directly.
func openMinutes(d Definition, a, b time.Time) time.Duration {
	loc, _ := time.LoadLocation(d.TimeZone)
	if d.AlwaysOpen {
		return b.Sub(a)
	}
	week := map[time.Weekday][]Interval{
		time.Monday: d.Hours.Monday, time.Tuesday: d.Hours.Tuesday, time.Wednesday: d.Hours.Wednesday,
		time.Thursday: d.Hours.Thursday, time.Friday: d.Hours.Friday, time.Saturday: d.Hours.Saturday, time.Sunday: d.Hours.Sunday,
	}
	var n time.Duration
	for t := a; t.Before(b); t = t.Add(time.Minute) {
		l := t.In(loc)
		date, now := l.Format(time.DateOnly), l.Format("15:04")
		ivs := week[l.Weekday()]
		for _, h := range d.Holidays {
			if h.Date == date {
				ivs = nil
			}
		}
		for _, w := range d.Workdays {
			if w.Date == date {
				ivs = w.Hours
			}
		}
		for _, iv := range ivs {
			if now >= iv.From && now < iv.To {
				n += time.Minute
			}
		}
	}
	return n
}

// A paused clock accrues nothing while paused, is due when its running
// business time reaches the target, and without pauses is due at Add.
func TestPropertyClockPauses(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c, _ := genCalendar(t, zones)
		points := make([]time.Time, 1+2*rapid.IntRange(0, 3).Draw(t, "pauses"))
		for i := range points {
			points[i] = genInstant(t, "point")
		}
		ordered(points...)
		k := Clock{Start: points[0], Target: genDuration(t, "target")}
		for i := 1; i+1 < len(points); i += 2 {
			k.Pauses = append(k.Pauses, Pause{From: points[i], To: points[i+1]})
		}
		openLast := rapid.Bool().Draw(t, "still-paused") && len(k.Pauses) > 0
		if openLast {
			k.Pauses[len(k.Pauses)-1].To = time.Time{}
		}
		for _, p := range k.Pauses {
			to := p.To
			if to.IsZero() {
				to = p.From.Add(100 * 24 * time.Hour)
			}
			mid := p.From.Add(to.Sub(p.From) / 2)
			if k.Elapsed(c, p.From) != k.Elapsed(c, mid) || k.Elapsed(c, mid) != k.Elapsed(c, to) {
				t.Fatal("the clock ran while paused")
			}
		}
		due, ok := k.Due(c)
		if !ok {
			if !openLast || k.Elapsed(c, k.Pauses[len(k.Pauses)-1].From) >= k.Target {
				t.Fatalf("no due time for %+v", k)
			}
			return
		}
		if got := k.Elapsed(c, due); got != k.Target {
			t.Fatalf("elapsed at due = %v, target %v", got, k.Target)
		}
		if k.Target > 0 && k.Elapsed(c, due.Add(-time.Nanosecond)) >= k.Target {
			t.Fatal("the target was reached before the due time")
		}
		if len(k.Pauses) == 0 && !due.Equal(c.Add(k.Start, k.Target)) {
			t.Fatal("an unpaused clock is not due at Add(start, target)")
		}
	})
}
