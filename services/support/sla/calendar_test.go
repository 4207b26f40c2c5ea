package sla

import (
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// weekdays is Monday to Friday with the given hours.
func weekdays(ivs ...Interval) WeekHours {
	return WeekHours{Monday: ivs, Tuesday: ivs, Wednesday: ivs, Thursday: ivs, Friday: ivs}
}

// shanghai is a Chinese office: a lunch break, the National Day week off
// (2026-10-01 to 10-07) and Saturday 2026-10-10 an adjusted working day.
func shanghai(t *testing.T) *Calendar {
	d := Definition{TimeZone: "Asia/Shanghai", Hours: weekdays(Interval{"09:00", "12:00"}, Interval{"13:00", "18:00"}),
		Workdays: []Workday{{Date: "2026-10-10", Name: "调休", Hours: []Interval{{"09:00", "12:00"}, {"13:00", "18:00"}}}}}
	for day := 1; day <= 7; day++ {
		d.Holidays = append(d.Holidays, Holiday{Date: time.Date(2026, 10, day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Name: "国庆节"})
	}
	return mustCalendar(t, d)
}

// Hand-computed cases.
func TestCalendarCases(t *testing.T) {
	sh, ny, berlin := zone(t, "Asia/Shanghai"), zone(t, "America/New_York"), zone(t, "Europe/Berlin")
	office := mustCalendar(t, Definition{TimeZone: "America/New_York", Hours: weekdays(Interval{"09:00", "17:00"})})
	nights := mustCalendar(t, Definition{TimeZone: "Europe/Berlin", Hours: WeekHours{Sunday: []Interval{{"00:00", "06:00"}}}})
	always := mustCalendar(t, Definition{TimeZone: "Europe/Berlin", AlwaysOpen: true})
	cases := []struct {
		name  string
		cal   *Calendar
		start time.Time
		d     time.Duration
		due   time.Time
	}{
		{"调休 Saturday after a Friday evening", shanghai(t), time.Date(2026, 10, 9, 17, 0, 0, 0, sh), 2 * time.Hour, time.Date(2026, 10, 10, 10, 0, 0, 0, sh)},
		{"lunch break skipped", shanghai(t), time.Date(2026, 10, 12, 11, 30, 0, 0, sh), time.Hour, time.Date(2026, 10, 12, 13, 30, 0, 0, sh)},
		{"start on a holiday", shanghai(t), time.Date(2026, 10, 1, 10, 0, 0, 0, sh), 30 * time.Minute, time.Date(2026, 10, 8, 9, 30, 0, 0, sh)},
		{"Friday evening rolls to Monday across the DST change", office, time.Date(2026, 3, 6, 16, 30, 0, 0, ny), time.Hour, time.Date(2026, 3, 9, 9, 30, 0, 0, ny)},
		{"ends at the close, not the next opening", office, time.Date(2026, 3, 6, 9, 0, 0, 0, ny), 8 * time.Hour, time.Date(2026, 3, 6, 17, 0, 0, 0, ny)},
		{"start before opening", office, time.Date(2026, 3, 10, 3, 0, 0, 0, ny), 2 * time.Hour, time.Date(2026, 3, 10, 11, 0, 0, 0, ny)},
		{"spring-forward night has 5 hours", nights, time.Date(2026, 3, 29, 0, 0, 0, 0, berlin), 5 * time.Hour, time.Date(2026, 3, 29, 6, 0, 0, 0, berlin)},
		{"fall-back night has 7 hours", nights, time.Date(2026, 10, 25, 0, 0, 0, 0, berlin), 7 * time.Hour, time.Date(2026, 10, 25, 6, 0, 0, 0, berlin)},
		{"24/7 over fall-back", always, time.Date(2026, 10, 25, 0, 0, 0, 0, berlin), 25 * time.Hour, time.Date(2026, 10, 26, 0, 0, 0, 0, berlin)},
	}
	for _, c := range cases {
		if got := c.cal.Add(c.start, c.d); !got.Equal(c.due) {
			t.Errorf("%s: Add = %v, want %v", c.name, got, c.due)
		}
		if got := c.cal.Between(c.start, c.due); got != c.d {
			t.Errorf("%s: Between = %v, want %v", c.name, got, c.d)
		}
	}
	if got := shanghai(t).Between(time.Date(2026, 10, 9, 17, 0, 0, 0, sh), time.Date(2026, 10, 12, 10, 0, 0, 0, sh)); got != 10*time.Hour {
		t.Errorf("Friday 17:00 to Monday 10:00 around a 调休 Saturday = %v, want 10h", got)
	}
}

// A clock paused overnight resumes where it stopped.
func TestClockPausedOverMidnight(t *testing.T) {
	ny := zone(t, "America/New_York")
	office := mustCalendar(t, Definition{TimeZone: "America/New_York", Hours: weekdays(Interval{"09:00", "17:00"})})
	k := Clock{Start: time.Date(2026, 3, 9, 16, 0, 0, 0, ny), Target: 2 * time.Hour,
		Pauses: []Pause{{From: time.Date(2026, 3, 9, 16, 30, 0, 0, ny), To: time.Date(2026, 3, 10, 10, 0, 0, 0, ny)}}}
	if due, ok := k.Due(office); !ok || !due.Equal(time.Date(2026, 3, 10, 11, 30, 0, 0, ny)) {
		t.Errorf("due = %v %v, want Tuesday 11:30", due, ok)
	}
	if got := k.Remaining(office, time.Date(2026, 3, 10, 10, 30, 0, 0, ny)); got != time.Hour {
		t.Errorf("remaining = %v, want 1h", got)
	}
	k.Pauses[0].To = time.Time{}
	if _, ok := k.Due(office); ok {
		t.Error("a paused clock has a due time")
	}
}

// Invalid definitions name their fields.
func TestDefinitionValidation(t *testing.T) {
	cases := []struct {
		def   Definition
		field string
	}{
		{Definition{TimeZone: "Mars/Olympus", Hours: weekdays(Interval{"09:00", "17:00"})}, "timeZone"},
		{Definition{TimeZone: "", Hours: weekdays(Interval{"09:00", "17:00"})}, "timeZone"},
		{Definition{TimeZone: "UTC", Hours: weekdays(Interval{"09:00", "13:00"}, Interval{"12:00", "17:00"})}, "hours/monday"},
		{Definition{TimeZone: "UTC", Hours: weekdays(Interval{"9:00", "17:00"})}, "hours/monday/0/from"},
		{Definition{TimeZone: "UTC", Hours: weekdays(Interval{"09:00", "24:30"})}, "hours/monday/0/to"},
		{Definition{TimeZone: "UTC", Hours: weekdays(Interval{"17:00", "09:00"})}, "hours/monday/0/to"},
		{Definition{TimeZone: "UTC"}, "hours"},
		{Definition{TimeZone: "UTC", Hours: weekdays(Interval{"09:00", "17:00"}), Holidays: []Holiday{{Date: "2026-02-30"}}}, "holidays/0/date"},
		{Definition{TimeZone: "UTC", Hours: weekdays(Interval{"09:00", "17:00"}), Holidays: []Holiday{{Date: "2026-02-03"}},
			Workdays: []Workday{{Date: "2026-02-03", Hours: []Interval{{"09:00", "12:00"}}}}}, "workdays/0/date"},
		{Definition{TimeZone: "UTC", Hours: weekdays(Interval{"09:00", "17:00"}), Workdays: []Workday{{Date: "2026-02-07"}}}, "workdays/0/hours"},
		{Definition{TimeZone: "UTC", AlwaysOpen: true, Hours: weekdays(Interval{"09:00", "17:00"})}, "alwaysOpen"},
	}
	for _, c := range cases {
		_, err := c.def.Calendar()
		e, ok := errs.As(err)
		if !ok || e.Kind != errs.Invalid {
			t.Errorf("%+v: err = %v, want invalid", c.def, err)
			continue
		}
		var names []string
		for _, f := range e.Fields {
			names = append(names, f.Field)
		}
		if !strings.Contains(","+strings.Join(names, ",")+",", ","+c.field+",") {
			t.Errorf("%+v: fields %v, want %s", c.def, names, c.field)
		}
	}
}
