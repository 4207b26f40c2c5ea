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

// task plans a task as u with the given task object and returns it.
func (e *env) task(u user, subject string, task map[string]any, extra ...any) activities.Activity {
	e.t.Helper()
	body := map[string]any{"type": "task", "subject": subject, "task": task}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	return e.logActivity(u, body)
}

// complete completes the task id as u and returns what it did.
func (e *env) complete(u user, id string) activities.Completion {
	e.t.Helper()
	return contracttest.Decode[activities.Completion](e.want(e.do(u, "POST", "/v1/activities/"+id+"/complete", nil), http.StatusOK))
}

// due returns a task's due time in RFC 3339, "" for none.
func due(a *activities.Activity) string {
	if a == nil || a.Task == nil || a.Task.DueAt == nil {
		return ""
	}
	return a.Task.DueAt.Format(time.RFC3339)
}

func TestCompletingRecurringTasks(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	contact := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada"})

	// Daily, three occurrences in all, its reminder 15 minutes before.
	first := e.task(u, "Call back", map[string]any{"dueAt": "2026-03-02T09:00:00Z",
		"recurrence": map[string]any{"frequency": "daily", "count": 3}}, "reminderAt", "2026-03-02T08:45:00Z", "contactId", contact)
	if first.Task.SeriesID == nil || *first.Task.SeriesID != first.ID || first.Task.Occurrence != 1 {
		t.Fatalf("first occurrence %+v", first.Task)
	}
	done := e.complete(u, first.ID)
	if done.Task.Task.Status != "completed" || done.Task.Task.CompletedAt == nil || done.Next == nil {
		t.Fatalf("completion %+v", done)
	}
	second := *done.Next
	if due(&second) != "2026-03-03T09:00:00Z" || second.Task.Occurrence != 2 || *second.Task.SeriesID != first.ID ||
		second.ReminderAt == nil || second.ReminderAt.Format(time.RFC3339) != "2026-03-03T08:45:00Z" || second.Task.Status != "open" ||
		second.ContactID == nil || *second.ContactID != contact {
		t.Errorf("second occurrence %+v %+v", second, second.Task)
	}
	if got := e.lastActivity(u, "/v1/contacts/"+contact); got != done.Task.Task.CompletedAt.Format(time.RFC3339Nano) {
		t.Errorf("lastActivityAt %q, want the completion %s", got, done.Task.Task.CompletedAt)
	}
	third := e.complete(u, second.ID).Next
	if due(third) != "2026-03-04T09:00:00Z" || third.Task.Occurrence != 3 {
		t.Fatalf("third occurrence %+v", third)
	}
	if last := e.complete(u, third.ID); last.Next != nil {
		t.Errorf("the count is reached, yet a fourth %+v", last.Next)
	}

	// Completed twice, or not a task: 409. A patch may reopen, not complete.
	e.want(e.do(u, "POST", "/v1/activities/"+first.ID+"/complete", nil), http.StatusConflict)
	note := e.logActivity(u, map[string]any{"type": "note", "body": "x"})
	e.want(e.do(u, "POST", "/v1/activities/"+note.ID+"/complete", nil), http.StatusConflict)
	open := e.task(u, "Open", map[string]any{})
	if r := e.want(e.do(u, "PATCH", "/v1/activities/"+open.ID, map[string]any{"task": map[string]any{"status": "completed"}}, "If-Match", `"1"`),
		http.StatusBadRequest); r.field("task/status") == "" {
		t.Errorf("completion by patch: %s", r.Raw)
	}
	r := e.want(e.do(u, "PATCH", "/v1/activities/"+first.ID, map[string]any{"task": map[string]any{"status": "open"}}, "If-Match", `"2"`), http.StatusOK)
	if got := activityOf(r); got.Task.Status != "open" || got.Task.CompletedAt != nil {
		t.Errorf("reopened %+v", got.Task)
	}
	if again := e.complete(u, first.ID); again.Task.Task.Status != "completed" || again.Next != nil {
		t.Errorf("a reopened occurrence completed again: %+v, next %+v (its next exists)", again.Task.Task, again.Next)
	}

	// Monthly from the 31st skips the months without one (RFC 5545); weekly
	// keeps its wall-clock time across a change of daylight saving time;
	// without an end, one occurrence at a time, again and again.
	monthly := e.task(u, "Invoice", map[string]any{"dueAt": "2026-01-31T10:00:00Z", "recurrence": map[string]any{"frequency": "monthly", "until": "2026-12-31T00:00:00Z"}})
	if next := e.complete(u, monthly.ID).Next; due(next) != "2026-03-31T10:00:00Z" {
		t.Errorf("monthly from Jan 31: next due %s", due(next))
	}
	weekly := e.task(u, "Stand-up", map[string]any{"dueAt": "2026-03-23T08:00:00Z", "recurrence": map[string]any{"frequency": "weekly", "timeZone": "Europe/Berlin"}})
	next := e.complete(u, weekly.ID).Next
	if due(next) != "2026-03-30T07:00:00Z" {
		t.Errorf("weekly at 09:00 Berlin across the change to summer time: next due %s, want 2026-03-30T07:00:00Z", due(next))
	}
	for range 3 {
		next = e.complete(u, next.ID).Next
	}
	if next == nil || next.Task.Occurrence != 5 || due(next) != "2026-04-20T07:00:00Z" {
		t.Errorf("fifth weekly occurrence %+v", next)
	}
	var series int
	if err := e.admin.Get(&series, "SELECT count(*) FROM activities WHERE series_id = $1", weekly.ID); err != nil || series != 5 {
		t.Errorf("the endless series has %d tasks (%v), want 5: one at a time", series, err)
	}

	// An until the next date passes ends the series.
	short := e.task(u, "Short", map[string]any{"dueAt": "2026-05-04T09:00:00Z", "recurrence": map[string]any{"frequency": "weekly", "until": "2026-05-10T00:00:00Z"}})
	if got := e.complete(u, short.ID).Next; got != nil {
		t.Errorf("until passed, yet next %+v", got)
	}
	validateEvents(t, e)
}

func TestTaskListsAndCalendar(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	me := user{tenant: tenant, id: "me-" + uuid.NewString(), scope: auth.ScopeOwn, teams: []string{"red"}, perms: []string{"contacts:*"}}
	lead := user{tenant: tenant, id: "lead-" + uuid.NewString(), scope: auth.ScopeTeam, teams: []string{"red"}, perms: []string{"contacts:*"}}
	other := user{tenant: tenant, id: "other-" + uuid.NewString(), scope: auth.ScopeOwn, perms: []string{"contacts:*"}}
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(d).Truncate(time.Second).Format(time.RFC3339) }

	late := e.task(me, "Late", map[string]any{"dueAt": at(-48 * time.Hour)}, "teamId", "red")
	later := e.task(me, "Later", map[string]any{"dueAt": at(-time.Hour)}, "teamId", "red")
	soon := e.task(me, "Soon", map[string]any{"dueAt": at(24 * time.Hour)}, "teamId", "red")
	undated := e.task(me, "Some day", map[string]any{})
	done := e.task(me, "Done", map[string]any{"dueAt": at(-72 * time.Hour)})
	e.complete(me, done.ID)
	delegated := e.task(other, "For me", map[string]any{"dueAt": at(-30 * time.Minute)}, "assigneeId", me.id)
	theirs := e.task(other, "Theirs", map[string]any{"dueAt": at(-30 * time.Minute)})
	meeting := e.logActivity(me, map[string]any{"type": "meeting", "subject": "Review", "teamId": "red", "meeting": map[string]any{
		"startAt": at(-26 * time.Hour), "endAt": at(-22 * time.Hour)}})

	// My open tasks, soonest first, those without a due time last, paged.
	page := e.list(me, "/v1/activities/my-tasks", "limit", "3")
	rest := e.list(me, "/v1/activities/my-tasks", "limit", "3", "cursor", nextCursor(page))
	if got, want := append(activityIDs(page), activityIDs(rest)...), []string{late.ID, later.ID, delegated.ID, soon.ID, undated.ID}; !slices.Equal(got, want) {
		t.Errorf("my open tasks = %v, want %v", got, want)
	}
	if nextCursor(rest) != "" {
		t.Errorf("a cursor after the last page")
	}
	// Overdue: mine; the team's (the lead sees the team's activities).
	if got := activityIDs(e.list(me, "/v1/activities/overdue")); !slices.Equal(got, []string{late.ID, later.ID, delegated.ID}) {
		t.Errorf("my overdue tasks = %v", got)
	}
	if got := activityIDs(e.list(lead, "/v1/activities/overdue", "team", "red")); !slices.Equal(got, []string{late.ID, later.ID}) {
		t.Errorf("the team's overdue tasks = %v", got)
	}
	// Scope: the other user sees what they logged or are assigned, not mine.
	if got := activityIDs(e.list(other, "/v1/activities")); !slices.Equal(got, []string{theirs.ID, delegated.ID}) {
		t.Errorf("the other's activities = %v", got)
	}
	e.want(e.do(other, "GET", "/v1/activities/"+late.ID, nil), http.StatusNotFound)
	e.want(e.do(other, "PATCH", "/v1/activities/"+late.ID, map[string]any{"subject": "x"}, "If-Match", `"1"`), http.StatusNotFound)
	e.want(e.do(lead, "GET", "/v1/activities/"+late.ID, nil), http.StatusOK)

	// The calendar: what overlaps the range, by start; the meeting started
	// before the range and ends in it.
	r := e.list(me, "/v1/activities/calendar", "from", at(-25*time.Hour), "to", at(2*time.Hour))
	if got := activityIDs(r); !slices.Equal(got, []string{meeting.ID, later.ID, delegated.ID}) {
		t.Errorf("calendar = %v, want the meeting, Later and For me", got)
	}
	if got := activityIDs(e.list(lead, "/v1/activities/calendar", "team", "red", "type", "task", "from", at(-49*time.Hour), "to", at(48*time.Hour))); !slices.Equal(got, []string{late.ID, later.ID, soon.ID}) {
		t.Errorf("the team's tasks in the calendar = %v", got)
	}
	for _, q := range []string{"from=" + at(0), "from=" + at(0) + "&to=" + at(-time.Hour), "from=" + at(0) + "&to=" + at(100*24*time.Hour),
		"from=x&to=y", "from=" + at(0) + "&to=" + at(time.Hour) + "&assignee=me&team=red"} {
		e.want(e.raw(me, "GET", "/v1/activities/calendar?"+q), http.StatusBadRequest)
	}
	// A cursor of one list is refused by another.
	e.want(e.raw(me, "GET", "/v1/activities?cursor="+nextCursor(page)), http.StatusBadRequest)
}
