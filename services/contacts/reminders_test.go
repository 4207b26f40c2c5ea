package contacts_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts"
	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// fireReminders fires the due reminders as the service's job does, and
// returns how many it fired.
func (e *env) fireReminders() int {
	e.t.Helper()
	db := pgstore.New(e.app, registry.MustTopic("", registry.Contacts))
	n, err := activities.NewReminders(db, quiet).Fire(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// reminderState is a reminder's row: when it is due and whether it fired
// ("" for no row).
func (e *env) reminderState(activity string) string {
	e.t.Helper()
	var rows []struct {
		Due   time.Time  `db:"due_at"`
		Fired *time.Time `db:"fired_at"`
	}
	if err := e.admin.Select(&rows, "SELECT due_at, fired_at FROM reminders WHERE activity_id = $1", activity); err != nil {
		e.t.Fatal(err)
	}
	if len(rows) == 0 {
		return ""
	}
	return fmt.Sprintf("due %s fired %v", rows[0].Due.UTC().Format(time.RFC3339), rows[0].Fired != nil)
}

// remindersDue returns the subjects of the reminder_due events published so
// far, in order.
func (e *env) remindersDue() []string {
	e.t.Helper()
	var out []string
	for _, p := range e.published() {
		if eventShort(p.typ) == "activity.reminder_due" {
			out = append(out, p.subject)
		}
	}
	return out
}

func TestRemindersFireAndMove(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	past, future := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339), "2099-01-01T09:00:00Z"
	task := e.task(u, "Call back", map[string]any{"dueAt": future}, "reminderAt", past)
	meeting := e.logActivity(u, map[string]any{"type": "meeting", "reminderAt": future,
		"meeting": map[string]any{"startAt": future, "endAt": "2099-01-01T10:00:00Z"}})
	if got := e.reminderState(meeting.ID); got != "due 2099-01-01T09:00:00Z fired false" {
		t.Errorf("the meeting's reminder: %q", got)
	}

	// A reminder in the past fires at the next turn, once.
	if n := e.fireReminders(); n != 1 {
		t.Fatalf("fired %d reminders, want the task's", n)
	}
	if n := e.fireReminders(); n != 0 {
		t.Errorf("fired %d more", n)
	}
	if got := e.remindersDue(); !slices.Equal(got, []string{task.ID}) {
		t.Errorf("reminder_due events for %v, want the task's", got)
	}

	// Snoozing moves it to later and arms it again; what is not later than
	// now, or both ways at once, is refused.
	r := e.want(e.do(u, "POST", "/v1/activities/"+task.ID+"/snooze", map[string]any{"minutes": 10}, "If-Match", `"1"`), http.StatusOK)
	snoozed := activityOf(r)
	if snoozed.Version != 2 || snoozed.ReminderAt == nil || time.Until(*snoozed.ReminderAt) < 9*time.Minute {
		t.Errorf("snoozed %+v", snoozed)
	}
	if got := e.reminderState(task.ID); got != "due "+snoozed.ReminderAt.Format(time.RFC3339)+" fired false" {
		t.Errorf("after the snooze: %q", got)
	}
	if r := e.want(e.do(u, "POST", "/v1/activities/"+task.ID+"/snooze", map[string]any{"until": past}), http.StatusBadRequest); r.field("until") == "" {
		t.Errorf("a snooze into the past: %s", r.Raw)
	}
	e.want(e.do(u, "POST", "/v1/activities/"+task.ID+"/snooze", map[string]any{"until": future, "minutes": 5}), http.StatusBadRequest)
	note := e.logActivity(u, map[string]any{"type": "note", "body": "x"})
	e.want(e.do(u, "POST", "/v1/activities/"+note.ID+"/snooze", map[string]any{"minutes": 5}), http.StatusConflict)

	// Ten minutes later (the row's time moved back), it fires again.
	if _, err := e.admin.Exec("UPDATE reminders SET due_at = now() - interval '1 second' WHERE activity_id = $1", task.ID); err != nil {
		t.Fatal(err)
	}
	if n := e.fireReminders(); n != 1 {
		t.Errorf("the snoozed reminder: fired %d", n)
	}

	// Rescheduling to a new time arms it again, to the same time does not;
	// null removes it.
	e.want(e.do(u, "PATCH", "/v1/activities/"+task.ID, map[string]any{"subject": "Call back!"}, "If-Match", `"2"`), http.StatusOK)
	if n := e.fireReminders(); n != 0 {
		t.Errorf("a patch leaving the reminder fired %d", n)
	}
	e.want(e.do(u, "PATCH", "/v1/activities/"+task.ID, map[string]any{"reminderAt": past}, "If-Match", `"3"`), http.StatusOK)
	if n := e.fireReminders(); n != 1 {
		t.Errorf("the rescheduled reminder: fired %d", n)
	}
	e.want(e.do(u, "PATCH", "/v1/activities/"+meeting.ID, map[string]any{"reminderAt": nil}, "If-Match", `"1"`), http.StatusOK)
	if got := e.reminderState(meeting.ID); got != "" {
		t.Errorf("a removed reminder: %q", got)
	}

	// Completing a task or deleting an activity cancels its reminder.
	other := e.task(u, "Other", map[string]any{}, "reminderAt", future)
	e.complete(u, other.ID)
	e.want(e.do(u, "POST", "/v1/activities/"+other.ID+"/snooze", map[string]any{"minutes": 5}), http.StatusConflict)
	gone := e.task(u, "Gone", map[string]any{}, "reminderAt", future)
	e.want(e.do(u, "DELETE", "/v1/activities/"+gone.ID, nil), http.StatusNoContent)
	for _, id := range []string{other.ID, gone.ID} {
		if got := e.reminderState(id); got != "" {
			t.Errorf("a cancelled reminder: %q", got)
		}
	}
	if got := e.remindersDue(); !slices.Equal(got, []string{task.ID, task.ID, task.ID}) {
		t.Errorf("reminder_due events for %v, want the task's three", got)
	}
	validateEvents(t, e)
}

// replica starts another instance of the service on e's database and
// Kafka, with its periodic jobs running, and returns what stops it (at the
// latest when the test ends).
func (e *env) replica() (stop func()) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in, err := starter.Start(ctx, e.cfg, contacts.Starter(), quiet)
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := in.Wait(); err != nil {
			e.t.Errorf("a replica stopped with %v", err)
		}
	}
	e.t.Cleanup(stop)
	return stop
}

// dueTasks plans n tasks of each tenant, their reminders due a second ago,
// straight in the database (the API would take a while for thousands).
func (e *env) dueTasks(n int, tenants ...string) {
	e.t.Helper()
	for _, tenant := range tenants {
		_, err := e.admin.Exec(`WITH t AS (
				INSERT INTO activities (tenant_id, id, type, subject, assignee_id, occurred_at, reminder_at, status, priority,
					created_by, created_at, updated_at, version)
				SELECT $1, gen_random_uuid(), 'task', 'Task ' || g, 'user', now(), now() - interval '1 second', 'open', 'normal',
					'user', now(), now(), 1
				FROM generate_series(1, $2::int) g
				RETURNING tenant_id, id, reminder_at)
			INSERT INTO reminders (tenant_id, activity_id, due_at) SELECT tenant_id, id, reminder_at FROM t`, tenant, n)
		if err != nil {
			e.t.Fatal(err)
		}
	}
}

// waitFired waits until every reminder has fired.
func (e *env) waitFired() {
	e.t.Helper()
	testkit.Eventually(e.t, time.Minute, "every reminder fires", func() (bool, string) {
		var left int
		if err := e.admin.Get(&left, "SELECT count(*) FROM reminders WHERE fired_at IS NULL"); err != nil {
			e.t.Fatal(err)
		}
		return left == 0, fmt.Sprintf("%d not fired", left)
	})
}

// TestRemindersFireOnceAcrossReplicasAndRestarts runs the service as
// several instances on one database, as replicas do, each firing reminders
// in its periodic job, and restarts them: every reminder is published
// once (one event id per reminder; the relay may publish an event twice,
// with its id, which consumers apply once), none is lost, and none fires
// again after a restart.
func TestRemindersFireOnceAcrossReplicasAndRestarts(t *testing.T) {
	e := newEnv(t)
	tenants := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	u := newUser(tenants[0])
	viaAPI := e.task(u, "Through the API", map[string]any{}, "reminderAt", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))

	e.dueTasks(1200, tenants...)
	stopA, stopB := e.replica(), e.replica()
	e.waitFired()
	stopA() // a restart: B goes on, C starts
	stopC := e.replica()
	e.dueTasks(700, tenants[:2]...)
	e.waitFired()
	stopB()
	stopC()
	e.dueTasks(300, tenants[2])
	e.replica() // everything down, then one instance back
	e.waitFired()

	want := 3*1200 + 2*700 + 300 + 1
	var total int
	if err := e.admin.Get(&total, "SELECT count(*) FROM reminders"); err != nil || total != want {
		t.Fatalf("%d reminders (%v), want %d", total, err, want)
	}
	ids := map[string][]string{} // activity → the ids of its reminder_due events
	for _, p := range e.published() {
		if eventShort(p.typ) == "activity.reminder_due" && !slices.Contains(ids[p.subject], p.id) {
			ids[p.subject] = append(ids[p.subject], p.id)
		}
	}
	if len(ids) != want {
		t.Errorf("reminder_due events for %d activities, want %d", len(ids), want)
	}
	twice := 0
	for _, evs := range ids {
		if len(evs) > 1 {
			twice++
		}
	}
	if twice > 0 {
		t.Errorf("%d reminders fired more than once", twice)
	}
	if len(ids[viaAPI.ID]) != 1 {
		t.Errorf("the reminder planned through the API fired %d times", len(ids[viaAPI.ID]))
	}
	validateEvents(t, e)
}
