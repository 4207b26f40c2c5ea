package dashboards

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
)

// Schedule mails a dashboard (DashboardID: each widget's report) or one
// report (Report with Params) to Recipients, as XLSX (one sheet per
// report) or CSV (one attachment per report), daily, weekly or monthly at
// Hour UTC, rendered as its owner sees the reports (its principal, stored
// when the owner saves it). NextRunAt is when it is due next; LastRunAt
// and LastError what its last run did ("" for a delivered one).
type Schedule struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	DashboardID string            `json:"dashboardId,omitempty"`
	Report      string            `json:"report,omitempty"`
	Params      map[string]string `json:"params,omitempty"`
	Format      string            `json:"format"`
	Language    string            `json:"language"`
	Frequency   string            `json:"frequency"`
	Hour        int               `json:"hour"`
	Weekday     string            `json:"weekday,omitempty"`
	DayOfMonth  int               `json:"dayOfMonth,omitempty"`
	Recipients  []string          `json:"recipients"`
	OwnerID     string            `json:"ownerId"`
	NextRunAt   time.Time         `json:"nextRunAt"`
	LastRunAt   *time.Time        `json:"lastRunAt"`
	LastError   string            `json:"lastError"`
	CreatedAt   time.Time         `json:"createdAt"`
	UpdatedAt   time.Time         `json:"updatedAt"`
	Version     int64             `json:"version"`
}

// The formats, languages and frequencies of a schedule, and the weekdays
// of a weekly one.
var (
	Formats     = []string{"xlsx", "csv"}
	Languages   = []string{"en", "zh"}
	Frequencies = []string{"daily", "weekly", "monthly"}
	Weekdays    = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} // by time.Weekday
)

// maxRecipients bounds a schedule's recipients.
const maxRecipients = 50

// scheduleReadOnly are the fields of a Schedule the service sets.
var scheduleReadOnly = []string{"id", "ownerId", "nextRunAt", "lastRunAt", "lastError", "createdAt", "updatedAt", "version"}

// normalize validates s and sets its defaults (format xlsx, language en,
// the name of what it mails when it has none — named is that name): a
// dashboard's id or a report with parameters reports.Definitions()
// allows, not both; a frequency with its hour, weekday or day of month;
// 1 to 50 email addresses. Whether the dashboard exists the service
// checks.
func (s *Schedule) normalize(named string) error {
	v := errs.NewValidator()
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		s.Name = named
	}
	v.Check(utf8.RuneCountInString(s.Name) <= maxName, "name", fmt.Sprintf("at most %d characters", maxName))
	switch {
	case s.DashboardID != "" && s.Report != "":
		v.Check(false, "report", "a schedule mails a dashboard (dashboardId) or a report, not both")
	case s.DashboardID != "":
		v.Check(ids.Valid(s.DashboardID) || isBuiltIn(s.DashboardID), "dashboardId", "must be a dashboard's id")
		v.Check(len(s.Params) == 0, "params", "a dashboard's widgets have their own parameters")
	default:
		if s.Params == nil {
			s.Params = map[string]string{}
		}
		if s.Report == "" {
			v.Check(false, "report", "a schedule mails a dashboard (dashboardId) or a report")
		} else {
			checkParams(v, "", s.Report, s.Params)
		}
	}
	if s.Format == "" {
		s.Format = "xlsx"
	}
	v.Check(slices.Contains(Formats, s.Format), "format", "must be one of "+strings.Join(Formats, ", "))
	if s.Language == "" {
		s.Language = "en"
	}
	v.Check(slices.Contains(Languages, s.Language), "language", "must be one of "+strings.Join(Languages, ", "))
	v.Check(slices.Contains(Frequencies, s.Frequency), "frequency", "must be one of "+strings.Join(Frequencies, ", "))
	v.Check(s.Hour >= 0 && s.Hour <= 23, "hour", "must be 0 to 23 (UTC)")
	switch s.Frequency {
	case "weekly":
		v.Check(slices.Contains(Weekdays, s.Weekday), "weekday", "a weekly schedule needs one of "+strings.Join(Weekdays, ", "))
		v.Check(s.DayOfMonth == 0, "dayOfMonth", "only a monthly schedule has one")
	case "monthly":
		v.Check(s.DayOfMonth >= 1 && s.DayOfMonth <= 31, "dayOfMonth", "a monthly schedule needs one, 1 to 31 (the month's last day when it has fewer)")
		v.Check(s.Weekday == "", "weekday", "only a weekly schedule has one")
	default:
		v.Check(s.Weekday == "", "weekday", "only a weekly schedule has one")
		v.Check(s.DayOfMonth == 0, "dayOfMonth", "only a monthly schedule has one")
	}
	v.Check(len(s.Recipients) >= 1 && len(s.Recipients) <= maxRecipients, "recipients", fmt.Sprintf("must be 1 to %d email addresses", maxRecipients))
	for i, r := range s.Recipients {
		a, err := mail.ParseAddress(r)
		ok := err == nil && a.Name == "" && a.Address == r && !slices.Contains(s.Recipients[:i], r)
		v.Check(ok, fmt.Sprintf("recipients/%d", i), "must be an email address (name@example.com), each once")
	}
	return v.Err()
}

// isBuiltIn reports whether id is a built-in dashboard's.
func isBuiltIn(id string) bool {
	_, ok := builtInByID(id)
	return ok
}

// next is the first time after t when s is due: Hour:00 UTC of the next
// day (daily), of the next Weekday (weekly) or of the next DayOfMonth, a
// month's last day when it has fewer days (monthly).
func (s Schedule) next(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), s.Hour, 0, 0, 0, time.UTC)
	switch s.Frequency {
	case "weekly":
		want := time.Weekday(slices.Index(Weekdays, s.Weekday))
		day = day.AddDate(0, 0, (int(want)-int(day.Weekday())+7)%7)
		if !day.After(t) {
			day = day.AddDate(0, 0, 7)
		}
	case "monthly":
		for m := 0; ; m++ {
			first := time.Date(t.Year(), t.Month()+time.Month(m), 1, s.Hour, 0, 0, 0, time.UTC)
			last := first.AddDate(0, 1, -1).Day()
			if at := first.AddDate(0, 0, min(s.DayOfMonth, last)-1); at.After(t) {
				return at
			}
		}
	default:
		if !day.After(t) {
			day = day.AddDate(0, 0, 1)
		}
	}
	return day
}
