package reports

import (
	"net/url"
	"testing"
	"time"
)

func TestReportsNamedRanges(t *testing.T) {
	today := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for name, want := range map[string][2]time.Time{
		"last_7_days":    {day(2026, 5, 8), day(2026, 5, 15)},
		"last_30_days":   {day(2026, 4, 15), day(2026, 5, 15)},
		"last_90_days":   {day(2026, 2, 14), day(2026, 5, 15)},
		"this_month":     {day(2026, 5, 1), day(2026, 6, 1)},
		"last_month":     {day(2026, 4, 1), day(2026, 5, 1)},
		"this_quarter":   {day(2026, 4, 1), day(2026, 7, 1)},
		"last_quarter":   {day(2026, 1, 1), day(2026, 4, 1)},
		"this_year":      {day(2026, 1, 1), day(2027, 1, 1)},
		"last_year":      {day(2025, 1, 1), day(2026, 1, 1)},
		"last_12_months": {day(2025, 5, 15), day(2026, 5, 15)},
	} {
		from, to, ok := namedRange(name, today)
		if !ok || !from.Equal(want[0]) || !to.Equal(want[1]) {
			t.Errorf("%s: [%s, %s) %v, want [%s, %s)", name, from, to, ok, want[0], want[1])
		}
	}
	if _, _, ok := namedRange("yesterday", today); ok {
		t.Error("yesterday is no range")
	}
}

func TestReportsBuckets(t *testing.T) {
	at := time.Date(2026, 5, 14, 15, 4, 5, 0, time.UTC) // a Thursday
	for interval, want := range map[string]string{Day: "2026-05-14", Week: "2026-05-11", Month: "2026-05-01",
		Quarter: "2026-04-01", Year: "2026-01-01"} {
		if got := Bucket(at, interval).Format(time.DateOnly); got != want {
			t.Errorf("%s: %s, want %s", interval, got, want)
		}
	}
	if n := len(Periods(at, at.AddDate(0, 3, 0), Month)); n != 4 {
		t.Errorf("May 14 to Aug 14 touches %d months, want 4", n)
	}
}

func TestReportsDefaultPeriod(t *testing.T) {
	d := Definition{Name: "x", Periodic: true}
	p, err := parseParams(d, url.Values{}, time.Date(2026, 5, 14, 15, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC); !p.To.Equal(want) || !p.From.Equal(want.AddDate(-1, 0, 0)) || p.Interval != Month {
		t.Errorf("default: [%s, %s) %s", p.From, p.To, p.Interval)
	}
	p, err = parseParams(d, url.Values{"from": {"2026-01-01T10:00:00+02:00"}, "to": {"2026-02-01"}}, time.Now())
	if err != nil || !p.From.Equal(time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339 from: %s %v", p.From, err)
	}
}
