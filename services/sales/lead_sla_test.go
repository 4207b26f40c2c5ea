package sales_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/leads"
)

// touchEvent is an activity.created of tenant as contacts publishes it: a
// kind (call, email, meeting, note; a task planned) at occurred, related
// to the sales leads leadIDs.
func touchEvent(t *testing.T, tenant, kind string, occurred time.Time, leadIDs ...string) events.Event {
	t.Helper()
	related := []map[string]any{}
	for _, id := range leadIDs {
		related = append(related, map[string]any{"service": "sales", "type": "lead", "id": id})
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	id := uuid.NewString()
	a := map[string]any{"id": id, "type": kind, "subject": "first call", "related": related, "assigneeId": "rep", "occurredAt": occurred.Format(time.RFC3339Nano),
		"createdBy": "rep", "createdAt": now, "updatedAt": now, "version": 1}
	if kind == "task" {
		a["task"] = map[string]any{"priority": "normal", "status": "open"}
	}
	return contactsEvent(t, contactevents.TypeActivityCreated, id, tenant, a)
}

// eventData is ev's payload as a T.
func eventData[T any](t *testing.T, ev events.Event) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// slaMissed returns how many lead.sla_missed the service published of each
// lead.
func slaMissed(e *env) map[string]int {
	out := map[string]int{}
	for _, ev := range e.published() {
		if strings.HasSuffix(ev.Type, ".lead.sla_missed.v1") {
			out[ev.Subject]++
		}
	}
	return out
}

// pastDue moves the first-touch deadlines of ids before now, in the
// order given (the first the oldest), as time passing would.
func (e *env) pastDue(ids ...string) {
	e.t.Helper()
	if _, err := e.admin.Exec(`UPDATE lead_first_touch f SET due_at = now() - interval '1 hour' + o.n * interval '1 second'
		FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) WHERE f.lead_id = o.id`, pq.StringArray(ids)); err != nil {
		e.t.Fatal(err)
	}
}

// waitMissed waits until the service has published lead.sla_missed of id.
func (e *env) waitMissed(id string) {
	e.t.Helper()
	testkit.Eventually(e.t, 45*time.Second, "lead.sla_missed of "+id, func() (bool, string) {
		return slaMissed(e)[id] > 0, ""
	})
}

func TestLeadFirstTouchSLA(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	rule := createRule(e, admin, map[string]any{"name": "Quick", "target": map[string]any{"type": "user", "userId": "rep"}, "firstTouchMinutes": 30})
	before := time.Now()
	touched := createLead(e, admin, map[string]any{"lastName": "Touched"})
	planned := createLead(e, admin, map[string]any{"lastName": "Planned"})
	late := createLead(e, admin, map[string]any{"lastName": "Late"})
	closed := createLead(e, admin, map[string]any{"lastName": "Closed"})
	for _, ev := range e.published() {
		if ev.Subject == touched.ID && strings.HasSuffix(ev.Type, ".lead.assigned.v1") {
			a := eventData[struct{ FirstTouchDueAt time.Time }](t, ev)
			if d := a.FirstTouchDueAt.Sub(before); d < 30*time.Minute || d > 31*time.Minute {
				t.Fatalf("firstTouchDueAt %s, created at %s", a.FirstTouchDueAt, before)
			}
		}
	}
	// A call touches its lead; a task only planned does not.
	call := time.Now().UTC().Truncate(time.Second)
	evs := []events.Event{touchEvent(t, admin.tenant, "call", call, touched.ID), touchEvent(t, admin.tenant, "task", call, planned.ID)}
	contracttest.ValidateEvents(t, "../contacts/api/events", evs)
	e.send(registry.Contacts, evs...)
	e.waitInbox(evs[1].ID)
	a := contracttest.Decode[leads.Assignment](e.want(e.do(admin, "GET", "/v1/leads/"+touched.ID+"/assignment", nil), http.StatusOK))
	if a.OwnerID != "rep" || a.AssignedByRuleID != rule.ID || a.FirstTouch == nil || a.FirstTouch.TouchedAt == nil ||
		!a.FirstTouch.TouchedAt.Equal(call) || a.FirstTouch.MissedAt != nil {
		t.Fatalf("assignment %+v, want touched at %s", a, call)
	}

	// Their deadlines pass: the untouched one is missed, the touched one is not.
	e.pastDue(touched.ID, planned.ID)
	e.waitMissed(planned.ID)
	// A lead disqualified in time raises nothing; every deadline raises
	// once.
	patchLead(e, admin, closed.ID, closed.Version, map[string]any{"status": "disqualified", "disqualifiedReason": "spam"}, http.StatusOK)
	e.pastDue(closed.ID, late.ID)
	e.waitMissed(late.ID)
	got := slaMissed(e)
	if got[planned.ID] != 1 || got[late.ID] != 1 || got[touched.ID] != 0 || got[closed.ID] != 0 {
		t.Fatalf("lead.sla_missed per lead %v", got)
	}
	for _, ev := range e.published() {
		if ev.Subject == planned.ID && strings.HasSuffix(ev.Type, ".lead.sla_missed.v1") {
			m := eventData[struct{ OwnerID, RuleID string }](t, ev)
			if m.OwnerID != "rep" || m.RuleID != rule.ID {
				t.Fatalf("payload %s", ev.Data)
			}
		}
	}
	a = contracttest.Decode[leads.Assignment](e.want(e.do(admin, "GET", "/v1/leads/"+planned.ID+"/assignment", nil), http.StatusOK))
	if a.FirstTouch == nil || a.FirstTouch.MissedAt == nil || a.FirstTouch.TouchedAt != nil {
		t.Fatalf("missed assignment %+v", a.FirstTouch)
	}
	other := newUser(uuid.NewString())
	e.want(e.do(other, "GET", "/v1/leads/"+planned.ID+"/assignment", nil), http.StatusNotFound)
	// Assigned again, the deadline is armed again.
	e.want(e.do(admin, "POST", "/v1/leads/"+planned.ID+"/assign", nil), http.StatusOK)
	e.pastDue(planned.ID)
	e.waitMissed(planned.ID)
	testkit.Eventually(t, 45*time.Second, "a second lead.sla_missed", func() (bool, string) { return slaMissed(e)[planned.ID] == 2, "" })
	validateEvents(t, e)
}
