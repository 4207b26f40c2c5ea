package leads

import (
	"testing"
	"time"
)

func TestWorkingHoursOpen(t *testing.T) {
	weekdays := []string{"mon", "tue", "wed", "thu", "fri"}
	day := &WorkingHours{TimeZone: "Asia/Shanghai", Weekdays: weekdays, From: "09:00", To: "18:00"}
	night := &WorkingHours{TimeZone: "UTC", Weekdays: []string{"fri"}, From: "22:00", To: "06:00"}
	whole := &WorkingHours{TimeZone: "UTC", Weekdays: []string{"sun"}, From: "00:00", To: "24:00"}
	for _, c := range []struct {
		name  string
		hours *WorkingHours
		at    string
		open  bool
	}{
		{"none is always", nil, "2026-12-06T03:00:00Z", true},
		{"Monday 09:00 in Shanghai (01:00 UTC)", day, "2026-12-07T01:00:00Z", true},
		{"Monday 08:59 in Shanghai", day, "2026-12-07T00:59:00Z", false},
		{"Monday 18:00 in Shanghai: to is excluded", day, "2026-12-07T10:00:00Z", false},
		{"Saturday noon in Shanghai", day, "2026-12-12T04:00:00Z", false},
		{"Friday 23:00, a window from Friday 22:00", night, "2026-12-11T23:00:00Z", true},
		{"Saturday 05:59 still Friday's window", night, "2026-12-12T05:59:00Z", true},
		{"Saturday 06:00", night, "2026-12-12T06:00:00Z", false},
		{"Friday 05:00 belongs to Thursday's window", night, "2026-12-11T05:00:00Z", false},
		{"Sunday 23:59 with to 24:00", whole, "2026-12-06T23:59:00Z", true},
		{"Monday 00:00", whole, "2026-12-07T00:00:00Z", false},
	} {
		at, err := time.Parse(time.RFC3339, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.hours.open(at); got != c.open {
			t.Errorf("%s: open %v, want %v", c.name, got, c.open)
		}
	}
}

func TestClock(t *testing.T) {
	for s, want := range map[string]int{"00:00": 0, "09:30": 570, "24:00": 1440} {
		if got, ok := clock(s); !ok || got != want {
			t.Errorf("clock(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"9:30", "24:01", "12:60", "ab:cd", "12-30", "", "-1:00", "+1:00", " 9:30"} {
		if _, ok := clock(s); ok {
			t.Errorf("clock(%q) accepted", s)
		}
	}
}
