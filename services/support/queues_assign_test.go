package support_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support"
	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/queues"
)

// replica starts another instance of e's service on the same database and
// Kafka, as a second replica runs in production, and returns e served by
// it.
func (e *env) replica() *env {
	e.t.Helper()
	r := *e
	r.base = contracttest.Start(e.t, e.cfg, support.Starter(), quiet)
	return &r
}

// setPresence sets userID's presence to status as u.
func (e *env) setPresence(u user, userID, status string) queues.Presence {
	e.t.Helper()
	return contracttest.Decode[queues.Presence](e.want(e.do(u, "PUT", "/v1/support-agents/"+userID+"/presence",
		map[string]any{"status": status}), http.StatusOK))
}

// getCase reads the case id as u.
func (e *env) getCase(u user, id string) cases.Case {
	e.t.Helper()
	return contracttest.Decode[cases.Case](e.want(e.do(u, "GET", "/v1/cases/"+id, nil), http.StatusOK))
}

// waitCase waits until the case id, read as u, meets cond.
func (e *env) waitCase(u user, id, what string, cond func(cases.Case) bool) cases.Case {
	e.t.Helper()
	var c cases.Case
	testkit.Eventually(e.t, 20*time.Second, what, func() (bool, string) {
		c = e.getCase(u, id)
		return cond(c), fmt.Sprintf("queue %q assignee %q priority %s", c.QueueID, c.AssigneeID, c.Priority)
	})
	return c
}

// assignedTo waits until the case id is assigned and returns to whom.
func (e *env) assignedTo(u user, id string) string {
	e.t.Helper()
	return e.waitCase(u, id, "case "+id+" assigned", func(c cases.Case) bool { return c.AssigneeID != "" }).AssigneeID
}

// agents returns the tenant's agents by user id, read as u.
func (e *env) agents(u user) map[string]queues.Agent {
	e.t.Helper()
	list := contracttest.Decode[struct{ Items []queues.Agent }](e.want(e.do(u, "GET", "/v1/support-agents", nil), http.StatusOK))
	out := map[string]queues.Agent{}
	for _, a := range list.Items {
		out[a.UserID] = a
	}
	return out
}

func TestRoutingThenLeastLoaded(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	q := e.createQueue(admin, map[string]any{"name": "Billing", "requiredSkills": []string{"billing"}, "defaultPriority": "high",
		"members": []any{member("ann", 5, "billing"), member("bob", 5, "billing", "zh"), member("cy", 5, "billing"), member("dee", 5)}})
	e.createRoutingRule(admin, map[string]any{"name": "invoices", "queueId": q.ID,
		"condition": map[string]any{"field": "keywords", "op": "contains", "value": "invoice"}})
	for _, u := range []string{"ann", "bob", "dee"} {
		e.setPresence(admin, u, queues.StatusOnline)
	}
	// ann already works a case: bob is the least loaded online member with
	// the skill (cy is offline, dee lacks it).
	e.createCase(admin, map[string]any{"subject": "old", "assigneeId": "ann"})
	c := e.createCase(admin, map[string]any{"subject": "Wrong invoice", "channel": "email", "priority": "low"})
	got := e.waitCase(admin, c.ID, "routed and assigned", func(c cases.Case) bool { return c.AssigneeID != "" })
	if got.QueueID != q.ID || got.AssigneeID != "bob" || got.Priority != "high" {
		t.Fatalf("routed %+v", got)
	}
	// Now ann and bob have one each: ann (listed first) gets the next.
	if who := e.assignedTo(admin, e.createCase(admin, map[string]any{"subject": "invoice copy"}).ID); who != "ann" {
		t.Fatalf("second went to %s", who)
	}
	// A case no rule matches stays out of queues; one created in a queue
	// is assigned there.
	other := e.createCase(admin, map[string]any{"subject": "hello"})
	inQueue := e.createCase(admin, map[string]any{"subject": "hello again", "queueId": q.ID})
	if who := e.assignedTo(admin, inQueue.ID); who != "bob" {
		t.Fatalf("in queue went to %s", who)
	}
	if c := e.getCase(admin, other.ID); c.QueueID != "" || c.AssigneeID != "" {
		t.Fatalf("unmatched case routed %+v", c)
	}
	agents := e.agents(admin)
	if agents["ann"].OpenCases+agents["bob"].OpenCases != 4 || agents["cy"].Status != queues.StatusOffline || agents["dee"].OpenCases != 0 ||
		!slices.Equal(agents["dee"].QueueIDs, []string{q.ID}) {
		t.Fatalf("agents %+v", agents)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

func TestRoundRobin(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	q := e.createQueue(admin, map[string]any{"name": "Tier 1", "assignmentMode": "round_robin",
		"members": []any{member("ann", 10), member("bob", 10), member("cy", 10), member("dee", 10)}})
	for _, u := range []string{"ann", "bob", "dee"} {
		e.setPresence(admin, u, queues.StatusOnline)
	}
	var order []string
	for i := range 5 {
		c := e.createCase(admin, map[string]any{"subject": fmt.Sprintf("case %d", i), "queueId": q.ID})
		order = append(order, e.assignedTo(admin, c.ID))
	}
	if want := []string{"ann", "bob", "dee", "ann", "bob"}; !slices.Equal(order, want) {
		t.Fatalf("round robin %v, want %v", order, want)
	}
	// The cursor is the queue's: a second instance continues from it.
	r := e.replica()
	e.setPresence(admin, "cy", queues.StatusOnline)
	c := r.createCase(admin, map[string]any{"subject": "next", "queueId": q.ID})
	if who := r.assignedTo(admin, c.ID); who != "cy" {
		t.Fatalf("after bob came %s, want cy", who)
	}
}

func TestCapacityPresenceAndRetry(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	q := e.createQueue(admin, map[string]any{"name": "Hardware", "members": []any{member("ann", 1), member("bob", 2)}})
	// A case of the marker queue, once assigned, shows the consumer handled
	// every event before it (one partition, in order).
	marker := e.createQueue(admin, map[string]any{"name": "Marker", "members": []any{member("zed", 1000)}})
	e.setPresence(admin, "zed", queues.StatusOnline)
	handled := func() {
		t.Helper()
		e.assignedTo(admin, e.createCase(admin, map[string]any{"subject": "marker", "queueId": marker.ID}).ID)
	}
	e.setPresence(admin, "ann", queues.StatusOnline)
	e.setPresence(admin, "bob", queues.StatusAway)
	first := e.createCase(admin, map[string]any{"subject": "one", "queueId": q.ID})
	if who := e.assignedTo(admin, first.ID); who != "ann" {
		t.Fatalf("first went to %s", who)
	}
	// ann is at capacity, bob away: the next ones wait in the queue.
	second := e.createCase(admin, map[string]any{"subject": "two", "queueId": q.ID})
	third := e.createCase(admin, map[string]any{"subject": "three", "queueId": q.ID})
	handled()
	if a, b := e.getCase(admin, second.ID), e.getCase(admin, third.ID); a.AssigneeID != "" || b.AssigneeID != "" {
		t.Fatalf("assigned past capacity or to an agent away: %q %q", a.AssigneeID, b.AssigneeID)
	}

	// An agent sets only their own presence, unless support:admin.
	bob := user{tenant: admin.tenant, id: "bob", perms: []string{"support:read", "support:write"}, scope: admin.scope}
	e.want(e.do(bob, "PUT", "/v1/support-agents/ann/presence", map[string]any{"status": "offline"}), http.StatusForbidden)
	bad := e.want(e.do(bob, "PUT", "/v1/support-agents/bob/presence", map[string]any{"status": "busy"}), http.StatusBadRequest)
	if f := bad.fields(); !slices.Equal(f, []string{"status"}) {
		t.Fatalf("bad presence fields %v", f)
	}
	// bob coming online takes the waiting cases, up to his capacity, at once.
	if p := e.setPresence(bob, "bob", queues.StatusOnline); p.Status != queues.StatusOnline || p.UpdatedAt == nil {
		t.Fatalf("presence %+v", p)
	}
	if a, b := e.getCase(admin, second.ID), e.getCase(admin, third.ID); a.AssigneeID != "bob" || b.AssigneeID != "bob" {
		t.Fatalf("after bob came online: %q %q", a.AssigneeID, b.AssigneeID)
	}
	got := contracttest.Decode[queues.Presence](e.want(e.do(bob, "GET", "/v1/support-agents/bob/presence", nil), http.StatusOK))
	if got.Status != queues.StatusOnline {
		t.Fatalf("get presence %+v", got)
	}

	// Everyone is full: a fourth case waits until ann solves hers.
	fourth := e.createCase(admin, map[string]any{"subject": "four", "queueId": q.ID})
	handled()
	if c := e.getCase(admin, fourth.ID); c.AssigneeID != "" {
		t.Fatalf("over capacity: %+v", c)
	}
	e.patchCase(admin, e.getCase(admin, first.ID), map[string]any{"status": "solved"}, http.StatusOK)
	if who := e.assignedTo(admin, fourth.ID); who != "ann" {
		t.Fatalf("freed capacity went to %s", who)
	}
	// Offline agents are skipped even with room.
	e.setPresence(admin, "bob", queues.StatusOffline)
	e.patchCase(admin, e.getCase(admin, second.ID), map[string]any{"status": "solved"}, http.StatusOK)
	fifth := e.createCase(admin, map[string]any{"subject": "five", "queueId": q.ID})
	handled()
	if c := e.getCase(admin, fifth.ID); c.AssigneeID != "" {
		t.Fatalf("assigned to an offline agent: %+v", c)
	}
	agents := e.agents(admin)
	if agents["ann"].OpenCases != 1 || agents["bob"].OpenCases != 1 || agents["bob"].Status != queues.StatusOffline {
		t.Fatalf("agents %+v", agents)
	}
	// Raising ann's capacity lets the queue's waiting case go to her.
	current := contracttest.Decode[queues.Queue](e.want(e.do(admin, "GET", "/v1/support-queues/"+q.ID, nil), http.StatusOK))
	e.want(e.do(admin, "PATCH", "/v1/support-queues/"+q.ID, map[string]any{"members": []any{member("ann", 2), member("bob", 2)}},
		"If-Match", kitx.ETag(current.Version)), http.StatusOK)
	if who := e.assignedTo(admin, fifth.ID); who != "ann" {
		t.Fatalf("after the capacity grew: %s", who)
	}
}

func TestReplicasNeverAssignPastCapacity(t *testing.T) {
	e := newEnv(t)
	r := e.replica()
	admin := newUser(uuid.NewString())
	q := e.createQueue(admin, map[string]any{"name": "Busy", "members": []any{member("ann", 3), member("bob", 2), member("cy", 4)}})
	other := e.createQueue(admin, map[string]any{"name": "Also busy", "assignmentMode": "round_robin",
		"members": []any{member("ann", 3), member("bob", 2), member("cy", 4)}})
	// Twenty cases wait in two queues sharing their members, nobody online.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst, queue := e, q.ID
			if i%2 == 1 {
				inst, queue = r, other.ID
			}
			inst.createCase(admin, map[string]any{"subject": fmt.Sprintf("case %d", i), "queueId": queue})
		}()
	}
	wg.Wait()
	// The agents come online through both instances at once, again and
	// again: every instance assigns the waiting cases of both queues.
	for range 3 {
		for _, u := range []string{"ann", "bob", "cy"} {
			for _, inst := range []*env{e, r} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					inst.setPresence(admin, u, queues.StatusOnline)
				}()
			}
		}
		wg.Wait()
	}
	capacity := map[string]int{"ann": 3, "bob": 2, "cy": 4}
	var agents map[string]queues.Agent
	testkit.Eventually(t, 20*time.Second, "every agent at capacity", func() (bool, string) {
		agents = e.agents(admin)
		for u, n := range capacity {
			if agents[u].OpenCases > n {
				t.Fatalf("%s has %d open cases, capacity %d", u, agents[u].OpenCases, n)
			}
			if agents[u].OpenCases < n {
				return false, fmt.Sprintf("%+v", agents)
			}
		}
		return true, ""
	})
	// The ones left wait; nobody was assigned past capacity, by either.
	list := contracttest.Decode[cases.Page](e.want(e.do(admin, "GET", "/v1/cases?limit=100", nil), http.StatusOK))
	per, waiting := map[string]int{}, 0
	for _, c := range list.Items {
		if c.AssigneeID == "" {
			waiting++
		}
		per[c.AssigneeID]++
	}
	if waiting != 11 || per["ann"] != 3 || per["bob"] != 2 || per["cy"] != 4 {
		t.Fatalf("assigned %v, waiting %d", per, waiting)
	}
}
