package journeys

import (
	"testing"
	"time"
)

func TestParseDurationReadsISO8601WeeksToSeconds(t *testing.T) {
	for in, want := range map[string]time.Duration{"P1D": 24 * time.Hour, "PT2H30M": 150 * time.Minute, "P2W": 14 * 24 * time.Hour,
		"P1DT1S": 24*time.Hour + time.Second, "PT90S": 90 * time.Second} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "P", "PT", "P1M", "P1Y", "1D", "P1DT", "PT0S", "P400D", "P-1D", "P1.5D", "P99999999999999999999D"} {
		if d, err := parseDuration(in); err == nil {
			t.Errorf("%q read as %v, want an error", in, d)
		}
	}
}

func TestWaitEndIsTheDurationTheNextTimeOfDayOrTheMoment(t *testing.T) {
	now := time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		step Step
		want time.Time
	}{
		{Step{Duration: "PT2H"}, now.Add(2 * time.Hour)},
		{Step{Until: "16:00"}, time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC)},
		{Step{Until: "09:00"}, time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)},
		{Step{Until: "14:30"}, time.Date(2026, 3, 11, 14, 30, 0, 0, time.UTC)},
		{Step{Until: "2026-04-01T08:00:00+02:00"}, time.Date(2026, 4, 1, 6, 0, 0, 0, time.UTC)},
		{Step{Until: "2026-01-01T00:00:00Z"}, now},
	} {
		if got := waitEnd(c.step, now); !got.Equal(c.want) {
			t.Errorf("%+v: %v, want %v", c.step, got, c.want)
		}
	}
	for _, bad := range []string{"24:00", "9:00", "tomorrow", "2026-04-01"} {
		if parseUntil(bad) == nil {
			t.Errorf("until %q accepted", bad)
		}
	}
}
