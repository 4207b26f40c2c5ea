package dashboards

import (
	"testing"
	"time"
)

// TestSchedulesNextRun: a schedule is next due at its hour UTC of the next
// day, weekday or day of month strictly after the time given; a monthly
// day past a month's end falls on its last day.
func TestSchedulesNextRun(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		s        Schedule
		after    string
		want     string
		describe string
	}{
		{Schedule{Frequency: "daily", Hour: 7}, "2026-03-10T06:59:59Z", "2026-03-10T07:00:00Z", "later today"},
		{Schedule{Frequency: "daily", Hour: 7}, "2026-03-10T07:00:00Z", "2026-03-11T07:00:00Z", "due now: tomorrow"},
		{Schedule{Frequency: "daily", Hour: 0}, "2026-12-31T23:00:00Z", "2027-01-01T00:00:00Z", "over the year"},
		{Schedule{Frequency: "weekly", Hour: 9, Weekday: "monday"}, "2026-03-10T12:00:00Z", "2026-03-16T09:00:00Z", "next Monday"},
		{Schedule{Frequency: "weekly", Hour: 9, Weekday: "tuesday"}, "2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z", "this Tuesday"},
		{Schedule{Frequency: "weekly", Hour: 9, Weekday: "tuesday"}, "2026-03-10T09:00:00Z", "2026-03-17T09:00:00Z", "a week on"},
		{Schedule{Frequency: "monthly", Hour: 6, DayOfMonth: 31}, "2026-02-01T00:00:00Z", "2026-02-28T06:00:00Z", "February's last day"},
		{Schedule{Frequency: "monthly", Hour: 6, DayOfMonth: 31}, "2026-02-28T06:00:00Z", "2026-03-31T06:00:00Z", "then March's"},
		{Schedule{Frequency: "monthly", Hour: 6, DayOfMonth: 1}, "2026-12-15T00:00:00Z", "2027-01-01T06:00:00Z", "next year"},
	}
	for _, tt := range tests {
		if got := tt.s.next(at(tt.after)); !got.Equal(at(tt.want)) {
			t.Errorf("%s: next after %s is %s, want %s", tt.describe, tt.after, got.Format(time.RFC3339), tt.want)
		}
	}
}
