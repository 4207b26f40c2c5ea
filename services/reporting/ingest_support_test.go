package reporting_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// caseRow is a row of rm_cases as the tests compare it.
type caseRow struct {
	ID         string     `db:"id"`
	Status     string     `db:"status"`
	Priority   string     `db:"priority"`
	Queue      string     `db:"queue_id"`
	Assignee   string     `db:"assignee_id"`
	Solved     *time.Time `db:"solved_at"`
	MergedInto *string    `db:"merged_into"`
	Deleted    bool       `db:"deleted"`
	Version    int        `db:"version"`
}

// cases returns tenant's rm_cases rows by id.
func (e *env) cases(tenant string) map[string]caseRow {
	e.t.Helper()
	var rows []caseRow
	e.readModel(tenant, &rows, `SELECT id, status, priority, queue_id, assignee_id, solved_at, merged_into, deleted, version
		FROM rm_cases WHERE tenant_id = current_setting('app.tenant_id')::uuid AND gen = 1`)
	out := map[string]caseRow{}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out
}

// A case's first response, SLA breach and survey that arrive before its
// creation, and its status change before its creation, all end as in
// order: the newest version's state, the earliest agent's public reply
// (a customer's or an internal note is none), the breach and the survey.
// Another tenant's case of the same id stays its own.
func TestIngestSupportOutOfOrder(t *testing.T) {
	e := newEnv(t)
	tenant, other := uuid.NewString(), uuid.NewString()
	created := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	queue, contact := uuid.NewString(), uuid.NewString()
	c := kase{ID: uuid.NewString(), Number: 12, Queue: queue, Priority: "high", Assignee: "agent-1", Contact: contact,
		Created: created, Version: 1}
	solved := c
	solved.Status, solved.Solved, solved.Updated, solved.Version = "solved", created.Add(5*time.Hour), created.Add(5*time.Hour), 3

	note := caseReplyEvent(c.ID, created.Add(time.Minute))
	note.data["public"], note.data["kind"] = false, "note"
	customer := caseReplyEvent(c.ID, created.Add(2*time.Minute))
	customer.data["authorType"] = "customer"
	e.fxPublish(registry.Support, tenant, note)
	e.fxPublish(registry.Support, tenant, customer)
	e.publishCaseReply(tenant, c.ID, created.Add(3*time.Hour))
	e.publishCaseReply(tenant, c.ID, created.Add(time.Hour))
	e.publishBreach(tenant, c.ID, "resolution", created.Add(4*time.Hour))
	survey := uuid.NewString()
	e.publishSurvey(tenant, survey, "csat", 4, c.ID, queue, "agent-1", contact, created.Add(6*time.Hour))
	e.publishCase(tenant, "status_changed", solved)
	e.publishCase(tenant, "created", c)
	e.publishCase(other, "created", kase{ID: c.ID, Priority: "low", Created: created})
	e.waitEvents(tenant, "support", 8)
	e.waitEvents(other, "support", 1)

	got := e.cases(tenant)[c.ID]
	if got.Status != "solved" || got.Priority != "high" || got.Queue != queue || got.Assignee != "agent-1" || got.Version != 3 ||
		got.Solved == nil || !got.Solved.Equal(solved.Solved) || got.Deleted || got.MergedInto != nil {
		t.Errorf("case %+v, want version 3, solved at %s", got, solved.Solved)
	}
	var first []time.Time
	e.readModel(tenant, &first, `SELECT first_response_at FROM rm_case_responses
		WHERE tenant_id = current_setting('app.tenant_id')::uuid AND gen = 1 AND case_id = $1`, c.ID)
	if len(first) != 1 || !first[0].Equal(created.Add(time.Hour)) {
		t.Errorf("first responses %v, want the agent's public reply at %s", first, created.Add(time.Hour))
	}
	var breaches []struct {
		Target string    `db:"target"`
		Due    time.Time `db:"due_at"`
	}
	e.readModel(tenant, &breaches, `SELECT target, due_at FROM rm_case_breaches
		WHERE tenant_id = current_setting('app.tenant_id')::uuid AND gen = 1 AND case_id = $1`, c.ID)
	if len(breaches) != 1 || breaches[0].Target != "resolution" || !breaches[0].Due.Equal(created.Add(4*time.Hour)) {
		t.Errorf("breaches %+v, want resolution's", breaches)
	}
	var surveys []struct {
		Kind     string    `db:"kind"`
		Score    int       `db:"score"`
		Case     string    `db:"case_id"`
		Queue    string    `db:"queue_id"`
		Agent    string    `db:"agent_id"`
		Contact  string    `db:"contact_id"`
		Answered time.Time `db:"answered_at"`
	}
	e.readModel(tenant, &surveys, `SELECT kind, score, case_id, queue_id, agent_id, contact_id, answered_at FROM rm_surveys
		WHERE tenant_id = current_setting('app.tenant_id')::uuid AND gen = 1 AND id = $1`, survey)
	if len(surveys) != 1 || surveys[0].Kind != "csat" || surveys[0].Score != 4 || surveys[0].Case != c.ID || surveys[0].Queue != queue ||
		surveys[0].Agent != "agent-1" || surveys[0].Contact != contact || !surveys[0].Answered.Equal(created.Add(6*time.Hour)) {
		t.Errorf("surveys %+v", surveys)
	}
	if theirs := e.cases(other); len(theirs) != 1 || theirs[c.ID].Priority != "low" || theirs[c.ID].Status != "new" {
		t.Errorf("the other tenant's cases %+v, want its own", theirs)
	}
}

// An event delivered twice (the same id) counts once: a reply, a breach,
// a survey and a case's update.
func TestIngestSupportRedeliveryCountsOnce(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	c := kase{ID: uuid.NewString(), Created: time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)}
	evs := []events.Event{
		caseEvent(t, "created", c).event(t, registry.Support, tenant),
		caseReplyEvent(c.ID, c.Created.Add(time.Hour)).event(t, registry.Support, tenant),
		breachEvent(c.ID, "first_response", c.Created.Add(30*time.Minute)).event(t, registry.Support, tenant),
		surveyEvent(uuid.NewString(), "nps", 9, c.ID, "", "", "", c.Created.Add(time.Hour)).event(t, registry.Support, tenant),
	}
	for _, ev := range evs {
		e.publishEvent(registry.Support, ev)
		e.publishEvent(registry.Support, ev)
	}
	e.publishCase(tenant, "updated", kase{ID: c.ID, Created: c.Created, Priority: "urgent", Version: 2})
	e.waitEvents(tenant, "support", 5)

	if n, err := e.applied(tenant, "support"); err != nil || n != 5 {
		t.Errorf("%d events applied (%v), want 5", n, err)
	}
	var counts []int
	e.readModel(tenant, &counts, `SELECT count(*) FROM rm_case_responses WHERE tenant_id = current_setting('app.tenant_id')::uuid
		UNION ALL SELECT count(*) FROM rm_case_breaches WHERE tenant_id = current_setting('app.tenant_id')::uuid
		UNION ALL SELECT count(*) FROM rm_surveys WHERE tenant_id = current_setting('app.tenant_id')::uuid
		UNION ALL SELECT count(*) FROM rm_cases WHERE tenant_id = current_setting('app.tenant_id')::uuid`)
	if !slices.Equal(counts, []int{1, 1, 1, 1}) {
		t.Errorf("responses, breaches, surveys, cases %v, want one each", counts)
	}
	if got := e.cases(tenant)[c.ID]; got.Priority != "urgent" || got.Version != 2 {
		t.Errorf("case %+v, want version 2", got)
	}
}

// A merged case keeps mergedInto, and rm_merges points each merged-away
// case at its final winner whatever order the merges come in: B into C
// before A into B leaves A → C and B → C.
func TestIngestSupportCaseMerged(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	at := time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC)
	a, b, c := uuid.NewString(), uuid.NewString(), uuid.NewString()
	for _, id := range []string{a, b, c} {
		e.publishCase(tenant, "created", kase{ID: id, Created: at})
	}
	e.publishCase(tenant, "merged", kase{ID: b, MergedInto: c, Created: at, Closed: at.Add(2 * time.Hour), Updated: at.Add(2 * time.Hour), Version: 2})
	e.publishCase(tenant, "merged", kase{ID: a, MergedInto: b, Created: at, Closed: at.Add(time.Hour), Updated: at.Add(time.Hour), Version: 2})
	e.waitEvents(tenant, "support", 5)

	cs := e.cases(tenant)
	if m := cs[a].MergedInto; m == nil || *m != b || cs[a].Status != "closed" {
		t.Errorf("case a %+v, want closed, merged into b", cs[a])
	}
	if cs[c].MergedInto != nil {
		t.Errorf("case c %+v, want not merged", cs[c])
	}
	var merges []struct {
		Loser  string `db:"loser_id"`
		Winner string `db:"winner_id"`
	}
	e.readModel(tenant, &merges, `SELECT loser_id, winner_id FROM rm_merges
		WHERE tenant_id = current_setting('app.tenant_id')::uuid AND gen = 1 AND kind = 'case' ORDER BY at`)
	if len(merges) != 2 || merges[0].Loser != a || merges[0].Winner != c || merges[1].Loser != b || merges[1].Winner != c {
		t.Errorf("merges %+v, want a → c, b → c", merges)
	}
}

// case.deleted marks the case deleted, also over an update of its
// version that arrives after it.
func TestIngestSupportCaseDeleted(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	c := kase{ID: uuid.NewString(), Created: time.Date(2026, 4, 3, 8, 0, 0, 0, time.UTC), Priority: "low", Version: 2}
	e.publishCase(tenant, "deleted", c)
	c.Priority = "urgent"
	e.publishCase(tenant, "updated", c)
	c.Version = 1
	e.publishCase(tenant, "created", c)
	e.waitEvents(tenant, "support", 3)

	if got := e.cases(tenant)[c.ID]; !got.Deleted || got.Priority != "low" || got.Version != 2 {
		t.Errorf("case %+v, want deleted at version 2", got)
	}
}

// A support event whose payload names no case is retried, then
// dead-lettered to rapport.support.v1.dlq, and the next event is applied.
func TestIngestSupportPoisonDeadLettered(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	poison := e.publish(registry.Support, tenant, "dev.rapport.support.case.created.v1", "x", time.Now(),
		map[string]any{"id": "not-a-case", "status": "new"})
	c := kase{ID: uuid.NewString(), Created: time.Date(2026, 4, 4, 8, 0, 0, 0, time.UTC)}
	e.publishCase(tenant, "created", c)
	e.waitEvents(tenant, "support", 1)

	if _, ok := e.cases(tenant)[c.ID]; !ok {
		t.Errorf("the event after the poison one was not applied")
	}
	dead := testkit.ReadTopic(t, e.brokers, events.DLQ(registry.MustTopic("", registry.Support)), 1, 30*time.Second)
	if len(dead) != 1 {
		t.Fatalf("%d dead-lettered records, want 1", len(dead))
	}
	headers := map[string]string{}
	for _, h := range dead[0].Headers {
		headers[h.Key] = string(h.Value)
	}
	if headers[events.HeaderID] != poison || headers[events.HeaderAttempts] != "5" || headers[events.HeaderError] == "" {
		t.Errorf("dead-lettered %v, want the poison event %s after 5 attempts", headers, poison)
	}
}
