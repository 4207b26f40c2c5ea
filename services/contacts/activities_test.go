package contacts_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/contacts/activities"
)

// activityOf returns r's body as an activity.
func activityOf(r reply) activities.Activity {
	r.T.Helper()
	return contracttest.Decode[activities.Activity](r)
}

// logActivity creates the activity body as u, wants a 201 and returns it.
func (e *env) logActivity(u user, body map[string]any) activities.Activity {
	e.t.Helper()
	r := e.want(e.do(u, "POST", "/v1/activities", body), http.StatusCreated)
	if loc := r.Header.Get("Location"); loc != "/v1/activities/"+activityOf(r).ID {
		e.t.Errorf("Location %q", loc)
	}
	return activityOf(r)
}

// ids returns the ids of a page of activities, in order.
func activityIDs(r reply) []string {
	r.T.Helper()
	var out []string
	for _, a := range items[activities.Activity](r) {
		out = append(out, a.ID)
	}
	return out
}

// lastActivity returns the lastActivityAt of the contact or account at
// path ("" for none).
func (e *env) lastActivity(u user, path string) string {
	e.t.Helper()
	return contracttest.Decode[activity](e.want(e.do(u, "GET", path, nil), http.StatusOK)).at()
}

func TestActivitiesOfEveryType(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	account := e.created(u, "/v1/accounts", map[string]any{"name": "Acme"})
	contact := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "accountId": account,
		"phones": []map[string]any{{"number": "+1 415 555 0100"}}})
	e.want(e.do(u, "PUT", "/v1/settings", map[string]any{"defaultRegion": "CN"}), http.StatusOK)

	// A call on the contact links its account, reads its numbers with the
	// tenant's region and moves both records' lastActivityAt.
	started := "2026-03-02T09:30:00Z"
	call := e.logActivity(u, map[string]any{"type": "call", "contactId": contact, "subject": "Renewal",
		"related": []map[string]any{{"service": "sales", "type": "opportunity", "id": "opp-1"}},
		"call": map[string]any{"direction": "inbound", "from": "138 0013 8000", "to": "1001", "startedAt": started,
			"durationSeconds": 125, "outcome": "answered", "recordingUrl": "https://pbx.example.com/r/1.mp3"}})
	if call.AccountID == nil || *call.AccountID != account || call.Call.FromE164 != "+8613800138000" || call.Call.ToE164 != "" ||
		call.OccurredAt.Format(time.RFC3339) != started || call.AssigneeID != u.id || call.CreatedBy != u.id || call.Version != 1 {
		t.Errorf("call = %+v %+v", call, call.Call)
	}
	if got := e.lastActivity(u, "/v1/contacts/"+contact); got != started {
		t.Errorf("contact lastActivityAt = %q, want %s", got, started)
	}
	if got := e.lastActivity(u, "/v1/accounts/"+account); got != started {
		t.Errorf("account lastActivityAt = %q, want %s", got, started)
	}

	// An earlier email leaves them; a meeting in the future leaves them too.
	email := e.logActivity(u, map[string]any{"type": "email", "contactId": contact, "subject": "Quote", "body": "Dear Ada, …",
		"email": map[string]any{"from": "Sales@Example.com", "to": []string{"ada@example.org"}, "cc": []string{"boss@example.com"},
			"messageId": "<1@example.com>", "sentAt": "2026-03-01T08:00:00Z"}})
	meeting := e.logActivity(u, map[string]any{"type": "meeting", "accountId": account, "subject": "Kick-off", "reminderAt": "2099-01-01T08:45:00Z",
		"meeting": map[string]any{"startAt": "2099-01-01T09:00:00Z", "endAt": "2099-01-01T10:00:00Z", "timeZone": "Europe/Berlin",
			"location": "Room 1", "attendees": []map[string]any{{"contactId": contact}, {"name": "Bob", "email": "BOB@example.com"}}}})
	note := e.logActivity(u, map[string]any{"type": "note", "contactId": contact, "body": "Prefers calls"})
	task := e.logActivity(u, map[string]any{"type": "task", "contactId": contact, "subject": "Send contract",
		"task": map[string]any{"dueAt": "2099-02-01T09:00:00Z", "priority": "high"}})
	if email.Email.From != "sales@example.com" || meeting.Meeting.Attendees[1].Email != "bob@example.com" ||
		task.Task.Status != "open" || task.Task.Priority != "high" || task.OccurredAt.Year() != 2099 {
		t.Errorf("email %+v, meeting %+v, task %+v", email.Email, meeting.Meeting, task.Task)
	}
	if got := e.lastActivity(u, "/v1/contacts/"+contact); got != note.OccurredAt.Format(time.RFC3339Nano) {
		t.Errorf("contact lastActivityAt = %q after the note at %s", got, note.OccurredAt)
	}

	// Lists: the contact's activities newest first; by type; by the record
	// of another service; the account's include its contact's.
	if got, want := activityIDs(e.list(u, "/v1/activities", "contact", contact)), []string{task.ID, note.ID, call.ID, email.ID}; !slices.Equal(got, want) {
		t.Errorf("the contact's activities = %v, want %v", got, want)
	}
	if got := activityIDs(e.list(u, "/v1/activities", "account", account, "type", "call,meeting")); !slices.Equal(got, []string{meeting.ID, call.ID}) {
		t.Errorf("the account's calls and meetings = %v", got)
	}
	if got := activityIDs(e.list(u, "/v1/activities", "related", "sales/opportunity/opp-1")); !slices.Equal(got, []string{call.ID}) {
		t.Errorf("the opportunity's activities = %v", got)
	}
	page := e.list(u, "/v1/activities", "limit", "2")
	rest := e.list(u, "/v1/activities", "limit", "2", "cursor", nextCursor(page))
	if got := append(activityIDs(page), activityIDs(rest)...); !slices.Equal(got, []string{task.ID, meeting.ID, note.ID, call.ID}) {
		t.Errorf("two pages = %v", got)
	}

	// A patch changes what it names; a type change is refused.
	r := e.want(e.do(u, "PATCH", "/v1/activities/"+call.ID, map[string]any{"subject": "Renewal 2026", "call": map[string]any{"outcome": "voicemail"}},
		"If-Match", `"1"`), http.StatusOK)
	if got := activityOf(r); got.Version != 2 || got.Subject != "Renewal 2026" || got.Call.Outcome != "voicemail" || got.Call.DurationSeconds != 125 {
		t.Errorf("patched call %+v %+v", got, got.Call)
	}
	e.want(e.do(u, "PATCH", "/v1/activities/"+call.ID, map[string]any{"subject": "x"}, "If-Match", `"1"`), http.StatusPreconditionFailed)
	e.want(e.do(u, "PATCH", "/v1/activities/"+call.ID, map[string]any{"subject": "x"}), http.StatusPreconditionRequired)
	if r := e.want(e.do(u, "PATCH", "/v1/activities/"+note.ID, map[string]any{"type": "task"}, "If-Match", `"1"`), http.StatusBadRequest); r.field("type") == "" {
		t.Errorf("a type change: %s", r.Raw)
	}

	// A delete removes it for good.
	e.want(e.do(u, "DELETE", "/v1/activities/"+email.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/activities/"+email.ID, nil), http.StatusNotFound)

	want := []string{"activity.created", "activity.created", "activity.created", "activity.created", "activity.created", "activity.updated", "activity.deleted"}
	var got []string
	for _, p := range e.published() {
		if typ := eventShort(p.typ); len(typ) > 9 && typ[:9] == "activity." {
			got = append(got, typ)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("activity events %v, want %v", got, want)
	}
	validateEvents(t, e)
}

// eventShort is an event type without its prefix and version:
// "activity.created".
func eventShort(typ string) string {
	const prefix, suffix = "dev.rapport.contacts.", ".v1"
	if len(typ) > len(prefix)+len(suffix) {
		return typ[len(prefix) : len(typ)-len(suffix)]
	}
	return typ
}

func TestActivitiesRefuseBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	other := newUser(uuid.NewString())
	foreign := e.created(other, "/v1/contacts", map[string]any{"firstName": "Foreign"})
	mine := e.created(u, "/v1/contacts", map[string]any{"firstName": "Mine", "ownerId": "someone-else"})
	own := user{tenant: u.tenant, id: uuid.NewString(), scope: auth.ScopeOwn, perms: []string{"contacts:*"}}

	for _, tt := range []struct {
		name   string
		as     user
		body   map[string]any
		fields []string
	}{
		{"unknown type", u, map[string]any{"type": "fax"}, []string{"type"}},
		{"call without its object", u, map[string]any{"type": "call"}, []string{"call"}},
		{"another type's object", u, map[string]any{"type": "note", "task": map[string]any{}}, []string{"task"}},
		{"call fields", u, map[string]any{"type": "call", "call": map[string]any{"direction": "sideways", "durationSeconds": -1,
			"outcome": "great", "recordingUrl": "ftp://x"}}, []string{"call/direction", "call/startedAt", "call/durationSeconds", "call/outcome", "call/recordingUrl"}},
		{"email addresses", u, map[string]any{"type": "email", "email": map[string]any{"from": "nobody", "to": []string{}}}, []string{"email/from", "email/to"}},
		{"meeting times", u, map[string]any{"type": "meeting", "meeting": map[string]any{"startAt": "2026-03-02T10:00:00Z", "endAt": "2026-03-02T09:00:00Z",
			"timeZone": "Mars/Olympus", "attendees": []map[string]any{{}}}}, []string{"meeting/endAt", "meeting/timeZone", "meeting/attendees/0"}},
		{"a reminder on a note", u, map[string]any{"type": "note", "reminderAt": "2026-03-02T10:00:00Z"}, []string{"reminderAt"}},
		{"a contact of another tenant", u, map[string]any{"type": "note", "contactId": foreign}, []string{"contactId"}},
		{"a contact outside the scope", own, map[string]any{"type": "note", "contactId": mine}, []string{"contactId"}},
		{"an unknown attendee", u, map[string]any{"type": "meeting", "meeting": map[string]any{"startAt": "2026-03-02T09:00:00Z", "endAt": "2026-03-02T10:00:00Z",
			"attendees": []map[string]any{{"contactId": foreign}}}}, []string{"meeting/attendees/0/contactId"}},
		{"a bad reference", u, map[string]any{"type": "note", "related": []map[string]any{{"service": "Sales!", "type": "opportunity", "id": ""}}},
			[]string{"related/0/service", "related/0/id"}},
		{"a completed task", u, map[string]any{"type": "task", "task": map[string]any{"status": "completed"}}, []string{"task/status"}},
		{"a recurrence without a due time", u, map[string]any{"type": "task", "task": map[string]any{"recurrence": map[string]any{"frequency": "daily"}}},
			[]string{"task/recurrence"}},
		{"a recurrence yielding no date", u, map[string]any{"type": "task", "task": map[string]any{"dueAt": "2026-03-02T09:00:00Z",
			"recurrence": map[string]any{"frequency": "weekly", "until": "2026-03-01T00:00:00Z"}}}, []string{"task/recurrence/until"}},
		{"a recurrence ending twice", u, map[string]any{"type": "task", "task": map[string]any{"dueAt": "2026-03-02T09:00:00Z",
			"recurrence": map[string]any{"frequency": "yearly", "count": 2, "until": "2027-01-01T00:00:00Z"}}},
			[]string{"task/recurrence", "task/recurrence/frequency"}},
		{"read-only fields", u, map[string]any{"type": "note", "id": uuid.NewString(), "createdBy": "me"}, []string{"id", "createdBy"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.want(e.do(tt.as, "POST", "/v1/activities", tt.body), http.StatusBadRequest)
			for _, f := range tt.fields {
				if r.field(f) == "" {
					t.Errorf("the problem does not name %s: %s", f, r.Raw)
				}
			}
		})
	}
	for _, q := range []string{"status=done", "contact=x", "dueBefore=tomorrow", "type=fax", "related=sales", "cursor=abc"} {
		e.want(e.raw(u, "GET", "/v1/activities?"+q), http.StatusBadRequest)
	}
}
