package activities

import (
	"errors"
	"strings"
	"time"
	_ "time/tzdata" // the same zones on every server

	"github.com/teambition/rrule-go"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Recurrence is how a task repeats: every Interval days, weeks or months
// (Frequency) from its due time, in TimeZone's wall-clock time (UTC when
// empty), ending after Until or after Count occurrences in all, or never.
// Its occurrences are made one at a time, each when the one before is
// completed. The dates are RFC 5545's (rrule-go): a monthly rule from the
// 31st skips the months without one.
type Recurrence struct {
	Frequency string     `json:"frequency"`
	Interval  int        `json:"interval,omitempty"`
	Until     *time.Time `json:"until,omitempty"`
	Count     int        `json:"count,omitempty"`
	TimeZone  string     `json:"timeZone,omitempty"`
}

// Frequencies are the values of Recurrence.Frequency.
var Frequencies = []string{"daily", "weekly", "monthly"}

// Bounds of a recurrence.
const (
	maxInterval = 999
	maxCount    = 10000
)

var frequencies = map[string]rrule.Frequency{"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY}

// check validates r, the recurrence of a task due at due (nil: none),
// recording every invalid field under path in v: a rule that yields no
// date, not even due, is refused.
func (r *Recurrence) check(v *errs.Validator, path string, due *time.Time) {
	if r.Interval == 0 {
		r.Interval = 1
	}
	_, known := frequencies[r.Frequency]
	v.Check(known, path+"/frequency", "must be one of "+strings.Join(Frequencies, ", "))
	v.Check(r.Interval >= 1 && r.Interval <= maxInterval, path+"/interval", "must be from 1 to 999")
	v.Check(r.Count >= 0 && r.Count <= maxCount, path+"/count", "must be from 1 to 10000 (0 or none: no count)")
	v.Check(r.Until == nil || r.Count == 0, path, "ends either at until or after count occurrences, not both")
	if r.Until != nil {
		u := stamp(*r.Until)
		r.Until = &u
	}
	_, err := location(r.TimeZone)
	v.Check(err == nil, path+"/timeZone", "must be an IANA time zone such as Europe/Berlin")
	v.Check(due != nil, path, "needs the task's dueAt, where the recurrence starts")
	if !known || err != nil || due == nil || r.Interval < 1 || r.Interval > maxInterval {
		return
	}
	first := r.rule(*due).After(due.Truncate(time.Second), true)
	v.Check(!first.IsZero(), path+"/until", "is before the task's dueAt: the rule yields no date")
}

// next returns the due time of the occurrence after the one numbered
// occurrence (1 for the first) that is due at due, or false when the
// recurrence has ended.
func (r *Recurrence) next(due time.Time, occurrence int) (time.Time, bool) {
	if r.Count > 0 && occurrence >= r.Count {
		return time.Time{}, false
	}
	t := r.rule(due).After(due.Truncate(time.Second), false)
	return stamp(t), !t.IsZero()
}

// rule is r as an RFC 5545 rule starting at due, in r's time zone.
func (r *Recurrence) rule(due time.Time) *rrule.RRule {
	loc, _ := location(r.TimeZone) // check refused an unknown zone
	opt := rrule.ROption{Freq: frequencies[r.Frequency], Interval: r.Interval, Dtstart: due.In(loc)}
	if r.Until != nil {
		opt.Until = r.Until.In(loc)
	}
	rule, _ := rrule.NewRRule(opt) // only out-of-range BY* parts fail, and it has none
	return rule
}

// errLocal refuses Go's name of the server's own time zone.
var errLocal = errors.New("Local is no IANA time zone")

// location returns the IANA time zone name ("" is UTC); the zone database
// is built in (time/tzdata), so every server knows the same zones.
func location(name string) (*time.Location, error) {
	switch name {
	case "":
		return time.UTC, nil
	case "Local":
		return nil, errLocal
	}
	return time.LoadLocation(name)
}

// stamp is t as the API and the database hold times: UTC, to the
// microsecond; the zero time stays zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}
