package activities

import (
	"slices"
	"strings"
	"time"
)

// The kinds of an activity's keys (activity_keys, migration 0015).
const (
	keyContact = "contact" // a contact's id: the activity's contact, a meeting's attendees
	keyEmail   = "email"   // a lower-cased address of an email's sender or recipients, or of an attendee
	keyPhone   = "phone"   // an E.164 number of a call
	keyRef     = "ref"     // a record of another service, "<service>/<type>/<id>"
)

// key is one thing an activity names, looked up by equality.
type key struct{ kind, value string }

// keys returns what a names, sorted, each once: whom it names (to find a
// person's activities) and the records of other services it is about.
func (a *Activity) keys() []key {
	var out []key
	add := func(kind, value string) {
		if value != "" {
			out = append(out, key{kind, value})
		}
	}
	if a.ContactID != nil {
		add(keyContact, *a.ContactID)
	}
	for _, r := range a.Related {
		add(keyRef, r.key())
	}
	switch {
	case a.Call != nil:
		add(keyPhone, a.Call.FromE164)
		add(keyPhone, a.Call.ToE164)
	case a.Email != nil:
		add(keyEmail, a.Email.From)
		for _, addr := range slices.Concat(a.Email.To, a.Email.Cc) {
			add(keyEmail, addr)
		}
	case a.Meeting != nil:
		for _, at := range a.Meeting.Attendees {
			if at.ContactID != nil {
				add(keyContact, *at.ContactID)
			}
			add(keyEmail, at.Email)
		}
	}
	slices.SortFunc(out, func(x, y key) int {
		if c := strings.Compare(x.kind, y.kind); c != 0 {
			return c
		}
		return strings.Compare(x.value, y.value)
	})
	return slices.Compact(out)
}

// key is r as an activity key's value.
func (r Ref) key() string { return r.Service + "/" + r.Type + "/" + r.ID }

// reminds reports whether a has a reminder to fire: a meeting's, or an
// open task's.
func (a *Activity) reminds() bool {
	if a.ReminderAt == nil {
		return false
	}
	return a.Type == TypeMeeting || a.Type == TypeTask && a.Task != nil && a.Task.Status == StatusOpen
}

// happened returns when a happened, for its contact's and account's
// lastActivityAt, or false when it has not happened by now: a completed
// task at its completion, an open task never, anything else at its
// occurredAt once that has passed.
func (a *Activity) happened(now time.Time) (time.Time, bool) {
	if a.Type == TypeTask {
		if a.Task == nil || a.Task.CompletedAt == nil {
			return time.Time{}, false
		}
		return *a.Task.CompletedAt, true
	}
	return a.OccurredAt, !a.OccurredAt.After(now)
}
