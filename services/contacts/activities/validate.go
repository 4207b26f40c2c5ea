package activities

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/email"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/phone"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// Field limits, in characters or items.
const (
	maxSubject   = 500
	maxBody      = 50000
	maxShort     = 100
	maxText      = 500
	maxNumber    = 50
	maxURL       = 2000
	maxList      = 100
	maxRelated   = 20
	maxDuration  = 7 * 24 * 3600
	maxMeeting   = 31 * 24 * time.Hour
	maxAttendees = 200
)

var (
	serviceName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)
	recordType  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// normalize trims and normalises a in place for a write at now by user,
// reading phone numbers in region, and records every invalid field in v.
// It derives what is computed (occurredAt, a call's E.164 numbers) and
// defaults what is missing; references to records are checked by the
// service.
func (a *Activity) normalize(v *errs.Validator, region, user string, now time.Time) {
	a.Subject, a.Body = strings.TrimSpace(a.Subject), strings.TrimSpace(a.Body)
	customer.CheckLen(v, "subject", a.Subject, maxSubject)
	customer.CheckLen(v, "body", a.Body, maxBody)
	v.Check(slices.Contains(Types, a.Type), "type", "must be one of "+strings.Join(Types, ", "))
	checkID(v, "contactId", a.ContactID)
	checkID(v, "accountId", a.AccountID)
	a.normalizeRelated(v)
	a.AssigneeID, a.TeamID = strings.TrimSpace(a.AssigneeID), strings.TrimSpace(a.TeamID)
	if a.AssigneeID == "" {
		a.AssigneeID = user
	}
	customer.CheckLen(v, "assigneeId", a.AssigneeID, maxShort)
	customer.CheckLen(v, "teamId", a.TeamID, maxShort)
	for _, part := range []struct {
		typ     string
		present bool
	}{{TypeCall, a.Call != nil}, {TypeEmail, a.Email != nil}, {TypeMeeting, a.Meeting != nil}, {TypeTask, a.Task != nil}} {
		v.Check(!part.present || part.typ == a.Type, part.typ, "only an activity of type "+part.typ+" has it")
	}
	if a.ReminderAt != nil {
		r := stamp(*a.ReminderAt)
		a.ReminderAt = &r
	}
	v.Check(a.ReminderAt == nil || a.Type == TypeTask || a.Type == TypeMeeting, "reminderAt", "only tasks and meetings have reminders")
	a.OccurredAt = stamp(a.OccurredAt)
	switch a.Type {
	case TypeCall:
		v.Check(a.Call != nil, TypeCall, "is required for a call")
		if a.Call != nil {
			a.Call.normalize(v, region)
			a.OccurredAt = a.Call.StartedAt
		}
	case TypeEmail:
		v.Check(a.Email != nil, TypeEmail, "is required for an email")
		if a.Email != nil {
			a.Email.normalize(v, now)
			a.OccurredAt = *a.Email.SentAt
		}
	case TypeMeeting:
		v.Check(a.Meeting != nil, TypeMeeting, "is required for a meeting")
		if a.Meeting != nil {
			a.Meeting.normalize(v)
			a.OccurredAt = a.Meeting.StartAt
		}
	case TypeNote:
		if a.OccurredAt.IsZero() {
			a.OccurredAt = now
		}
	case TypeTask:
		if a.Task == nil {
			a.Task = &Task{}
		}
		a.Task.normalize(v)
		a.OccurredAt = a.CreatedAt
		if a.Task.DueAt != nil {
			a.OccurredAt = *a.Task.DueAt
		}
	}
}

// normalizeRelated checks the references to other services' records and
// drops repeats.
func (a *Activity) normalizeRelated(v *errs.Validator) {
	if a.Related == nil {
		a.Related = []Ref{}
	}
	v.Check(len(a.Related) <= maxRelated, "related", fmt.Sprintf("names at most %d records", maxRelated))
	var out []Ref
	for i, r := range a.Related {
		path := fmt.Sprintf("related/%d/", i)
		r.Service, r.Type, r.ID = strings.TrimSpace(r.Service), strings.TrimSpace(r.Type), strings.TrimSpace(r.ID)
		v.Check(serviceName.MatchString(r.Service), path+"service", "must be a service's name such as sales")
		v.Check(recordType.MatchString(r.Type), path+"type", "must be a record type such as opportunity (lower case, digits, _)")
		v.Check(r.ID != "" && len(r.ID) <= maxShort, path+"id", "must be 1 to 100 characters")
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	a.Related = append([]Ref{}, out...)
}

// normalize validates a call and fills its numbers' E.164 forms (a number
// that has none, such as an extension, keeps only its text).
func (c *Call) normalize(v *errs.Validator, region string) {
	v.Check(slices.Contains(CallDirections, c.Direction), "call/direction", "must be inbound or outbound")
	c.From, c.To = strings.TrimSpace(c.From), strings.TrimSpace(c.To)
	customer.CheckLen(v, "call/from", c.From, maxNumber)
	customer.CheckLen(v, "call/to", c.To, maxNumber)
	c.FromE164, _ = phone.Normalize(c.From, region)
	c.ToE164, _ = phone.Normalize(c.To, region)
	v.Check(!c.StartedAt.IsZero(), "call/startedAt", "is required")
	c.StartedAt = stamp(c.StartedAt)
	v.Check(c.DurationSeconds >= 0 && c.DurationSeconds <= maxDuration, "call/durationSeconds", "must be from 0 to 604800 (a week)")
	v.Check(c.Outcome == "" || slices.Contains(CallOutcomes, c.Outcome), "call/outcome", "must be one of "+strings.Join(CallOutcomes, ", "))
	c.RecordingURL = strings.TrimSpace(c.RecordingURL)
	v.Check(c.RecordingURL == "" || webURL(c.RecordingURL), "call/recordingUrl", "must be an http or https URL of at most 2000 characters")
	c.ExternalID = strings.TrimSpace(c.ExternalID)
	customer.CheckLen(v, "call/externalId", c.ExternalID, maxText)
}

// normalize lower-cases and validates a logged email's addresses; its
// sending time defaults to now.
func (e *Email) normalize(v *errs.Validator, now time.Time) {
	e.From = strings.ToLower(strings.TrimSpace(e.From))
	v.Check(email.Valid(e.From), "email/from", "must be an email address such as name@example.com")
	v.Check(len(e.To) >= 1, "email/to", "names at least one recipient")
	e.To = checkAddresses(v, "email/to", e.To)
	e.Cc = checkAddresses(v, "email/cc", e.Cc)
	e.MessageID = strings.TrimSpace(e.MessageID)
	customer.CheckLen(v, "email/messageId", e.MessageID, maxText)
	sent := now
	if e.SentAt != nil {
		sent = stamp(*e.SentAt)
	}
	e.SentAt = &sent
}

// checkAddresses lower-cases and validates a list of email addresses.
func checkAddresses(v *errs.Validator, path string, list []string) []string {
	v.Check(len(list) <= maxList, path, fmt.Sprintf("names at most %d addresses", maxList))
	for i := range list {
		list[i] = strings.ToLower(strings.TrimSpace(list[i]))
		v.Check(email.Valid(list[i]), fmt.Sprintf("%s/%d", path, i), "must be an email address such as name@example.com")
	}
	return list
}

// normalize validates a meeting: it ends after it starts, within 31 days,
// in an IANA time zone (UTC when none is given).
func (m *Meeting) normalize(v *errs.Validator) {
	v.Check(!m.StartAt.IsZero(), "meeting/startAt", "is required")
	v.Check(!m.EndAt.IsZero(), "meeting/endAt", "is required")
	m.StartAt, m.EndAt = stamp(m.StartAt), stamp(m.EndAt)
	v.Check(m.EndAt.IsZero() || !m.EndAt.Before(m.StartAt), "meeting/endAt", "must not be before startAt")
	v.Check(m.EndAt.Sub(m.StartAt) <= maxMeeting, "meeting/endAt", "must be at most 31 days after startAt")
	m.TimeZone = strings.TrimSpace(m.TimeZone)
	if m.TimeZone == "" {
		m.TimeZone = "UTC"
	}
	_, err := location(m.TimeZone)
	v.Check(err == nil, "meeting/timeZone", "must be an IANA time zone such as Asia/Shanghai")
	m.Location = strings.TrimSpace(m.Location)
	customer.CheckLen(v, "meeting/location", m.Location, maxText)
	v.Check(len(m.Attendees) <= maxAttendees, "meeting/attendees", fmt.Sprintf("at most %d", maxAttendees))
	for i := range m.Attendees {
		at, path := &m.Attendees[i], fmt.Sprintf("meeting/attendees/%d/", i)
		at.Name, at.Email = strings.TrimSpace(at.Name), strings.ToLower(strings.TrimSpace(at.Email))
		checkID(v, path+"contactId", at.ContactID)
		customer.CheckLen(v, path+"name", at.Name, maxShort*2)
		v.Check(at.Email == "" || email.Valid(at.Email), path+"email", "must be an email address such as name@example.com")
		v.Check(at.ContactID != nil || at.Name != "" || at.Email != "", path[:len(path)-1], "needs a contactId, a name or an email")
	}
}

// normalize validates a task's priority and status and its recurrence.
func (t *Task) normalize(v *errs.Validator) {
	if t.Priority == "" {
		t.Priority = PriorityNormal
	}
	v.Check(slices.Contains(Priorities, t.Priority), "task/priority", "must be one of "+strings.Join(Priorities, ", "))
	if t.Status == "" {
		t.Status = StatusOpen
	}
	v.Check(t.Status == StatusOpen || t.Status == StatusCompleted, "task/status", "must be open or completed")
	if t.DueAt != nil {
		d := stamp(*t.DueAt)
		t.DueAt = &d
	}
	if t.Recurrence != nil {
		t.Recurrence.check(v, "task/recurrence", t.DueAt)
	}
}

// checkID validates an optional reference to a record's id.
func checkID(v *errs.Validator, field string, id *string) {
	if id != nil {
		_, err := uuid.Parse(*id)
		v.Check(err == nil, field, "must be a UUID")
	}
}

// webURL reports whether s is an absolute http or https URL of at most
// maxURL characters.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && len(s) <= maxURL && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
