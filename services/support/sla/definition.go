package sla

import (
	"fmt"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Definition is a calendar as the API and the database hold it.
type Definition struct {
	TimeZone   string    `json:"timeZone"`
	AlwaysOpen bool      `json:"alwaysOpen"`
	Hours      WeekHours `json:"hours"`
	Holidays   []Holiday `json:"holidays"`
	Workdays   []Workday `json:"workdays"`
}

// WeekHours are the working intervals of each weekday; a day without any
// is a day off.
type WeekHours struct {
	Monday    []Interval `json:"monday,omitempty"`
	Tuesday   []Interval `json:"tuesday,omitempty"`
	Wednesday []Interval `json:"wednesday,omitempty"`
	Thursday  []Interval `json:"thursday,omitempty"`
	Friday    []Interval `json:"friday,omitempty"`
	Saturday  []Interval `json:"saturday,omitempty"`
	Sunday    []Interval `json:"sunday,omitempty"`
}

// days lists the weekdays' intervals with their JSON names.
func (w WeekHours) days() []struct {
	day  time.Weekday
	name string
	ivs  []Interval
} {
	return []struct {
		day  time.Weekday
		name string
		ivs  []Interval
	}{
		{time.Monday, "monday", w.Monday}, {time.Tuesday, "tuesday", w.Tuesday},
		{time.Wednesday, "wednesday", w.Wednesday}, {time.Thursday, "thursday", w.Thursday},
		{time.Friday, "friday", w.Friday}, {time.Saturday, "saturday", w.Saturday},
		{time.Sunday, "sunday", w.Sunday},
	}
}

// Interval is a working interval of a day in local wall-clock time,
// "HH:MM" from (inclusive) to (exclusive, "24:00" for midnight).
type Interval struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Holiday is a date the calendar is closed.
type Holiday struct {
	Date string `json:"date"`
	Name string `json:"name,omitempty"`
}

// Workday is a date open with the given hours whatever its weekday, such
// as China's adjusted working weekends (调休).
type Workday struct {
	Date  string     `json:"date"`
	Name  string     `json:"name,omitempty"`
	Hours []Interval `json:"hours"`
}

// Calendar validates d and builds its Calendar; every invalid field is
// named in the error.
func (d Definition) Calendar() (*Calendar, error) {
	v := errs.NewValidator()
	c := &Calendar{always: d.AlwaysOpen, closed: map[int]bool{}, open: map[int][]Span{}}
	loc, err := time.LoadLocation(d.TimeZone)
	v.Check(d.TimeZone != "" && d.TimeZone != "Local" && err == nil, "timeZone", "not an IANA time zone")
	c.loc = loc
	for _, w := range d.Hours.days() {
		c.week[w.day] = spans(v, "hours/"+w.name, w.ivs)
		c.weekly = c.weekly || len(c.week[w.day]) > 0
	}
	dates := map[string]bool{}
	for i, h := range d.Holidays {
		field := fmt.Sprintf("holidays/%d/date", i)
		if k, ok := date(v, field, h.Date); ok {
			v.Check(!dates[h.Date], field, "date listed twice")
			dates[h.Date], c.closed[k] = true, true
		}
		v.Check(len(h.Name) <= 200, fmt.Sprintf("holidays/%d/name", i), "at most 200 characters")
	}
	for i, w := range d.Workdays {
		field := fmt.Sprintf("workdays/%d", i)
		s := spans(v, field+"/hours", w.Hours)
		v.Check(len(w.Hours) > 0, field+"/hours", "required")
		if k, ok := date(v, field+"/date", w.Date); ok {
			v.Check(!dates[w.Date], field+"/date", "date listed twice")
			dates[w.Date], c.open[k] = true, s
			c.last = max(c.last, k)
		}
		v.Check(len(w.Name) <= 200, field+"/name", "at most 200 characters")
	}
	if d.AlwaysOpen {
		v.Check(!c.weekly && len(dates) == 0, "alwaysOpen", "a 24/7 calendar has no hours, holidays or workdays")
	} else {
		v.Check(c.weekly, "hours", "no working hours in the week")
	}
	v.Check(len(d.Holidays)+len(d.Workdays) <= 5000, "holidays", "at most 5000 dates")
	if err := v.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// date parses a "YYYY-MM-DD" date into its dayKey.
func date(v *errs.Validator, field, s string) (int, bool) {
	t, err := time.Parse(time.DateOnly, s)
	v.Check(err == nil, field, "not a date (YYYY-MM-DD)")
	if err != nil {
		return 0, false
	}
	return dayKey(t.Date()), true
}

// spans parses and sorts one day's intervals, which must not overlap.
func spans(v *errs.Validator, field string, ivs []Interval) []Span {
	out := make([]Span, 0, len(ivs))
	for i, iv := range ivs {
		f := fmt.Sprintf("%s/%d", field, i)
		from, okFrom := minute(iv.From)
		to, okTo := minute(iv.To)
		v.Check(okFrom && from < dayMinutes, f+"/from", "not a time HH:MM")
		v.Check(okTo, f+"/to", "not a time HH:MM (24:00 for midnight)")
		if okFrom && okTo && from < dayMinutes {
			v.Check(from < to, f+"/to", "not after from")
			if from < to {
				out = append(out, Span{from, to})
			}
		}
	}
	slices.SortFunc(out, func(a, b Span) int { return a.Start - b.Start })
	for i := 1; i < len(out); i++ {
		v.Check(out[i].Start >= out[i-1].End, field, "intervals overlap")
	}
	return out
}

// minute parses "HH:MM" (00:00 … 24:00) into minutes since midnight.
func minute(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}
