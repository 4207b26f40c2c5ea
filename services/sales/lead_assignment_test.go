package sales_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/sales"
	"github.com/rapport-crm/rapport/services/sales/leads"
)

// replica starts another instance of e's service on the same database and
// Kafka, as a second replica runs in production, and returns e served by
// it.
func (e *env) replica() *env {
	e.t.Helper()
	r := *e
	r.base = contracttest.Start(e.t, e.cfg, sales.Starter(), quiet)
	return &r
}

// createRule creates an assignment rule as u.
func createRule(e *env, u user, body map[string]any) leads.Rule {
	e.t.Helper()
	return contracttest.Decode[leads.Rule](e.want(e.do(u, "POST", "/v1/lead-assignment-rules", body), http.StatusCreated))
}

// team is a team target of members with strategy and extra fields.
func team(strategy string, members []string, extra ...any) map[string]any {
	list := make([]map[string]any, len(members))
	for i, m := range members {
		list[i] = map[string]any{"userId": m}
	}
	t := map[string]any{"type": "team", "teamId": "team-" + strategy, "strategy": strategy, "members": list}
	for i := 0; i+1 < len(extra); i += 2 {
		t[extra[i].(string)] = extra[i+1]
	}
	return t
}

// people returns n user ids with prefix.
func people(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d-%s", prefix, i+1, uuid.NewString()[:8])
	}
	return out
}

// createAtOnce creates n leads as u at once, alternately through e and r
// (two instances of the service), the i-th with body(i).
func createAtOnce(e, r *env, u user, n int, body func(i int) map[string]any) []leads.Created {
	var mu sync.Mutex
	var list []leads.Created
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst := e
			if i%2 == 1 {
				inst = r
			}
			l := createLead(inst, u, body(i))
			mu.Lock()
			list = append(list, l)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return list
}

// owners counts the owners of list.
func owners(list []leads.Created) map[string]int {
	out := map[string]int{}
	for _, l := range list {
		out[l.OwnerID]++
	}
	return out
}

func TestLeadAssignmentRulesCRUD(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	a := createRule(e, admin, map[string]any{"name": "China enterprise", "condition": map[string]any{"field": "source", "op": "eq", "value": "web"},
		"target": map[string]any{"type": "user", "userId": "u1"}, "firstTouchMinutes": 30})
	b := createRule(e, admin, map[string]any{"name": "Everyone else", "target": team("roundRobin", []string{"u2", "u3"})})
	if a.Position != 0 || b.Position != 1 || !*a.Active || a.Version != 1 {
		t.Fatalf("positions %d, %d, active %v, version %d", a.Position, b.Position, *a.Active, a.Version)
	}
	list := contracttest.Decode[struct{ Items []leads.Rule }](e.want(e.do(admin, "GET", "/v1/lead-assignment-rules", nil), http.StatusOK)).Items
	if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Fatalf("list %+v", list)
	}
	// Reorder: b first; a rule listed twice or left out is a 400 naming ids.
	e.want(e.do(admin, "PUT", "/v1/lead-assignment-rules/order", map[string]any{"ids": []string{b.ID, b.ID}}), http.StatusBadRequest)
	e.want(e.do(admin, "PUT", "/v1/lead-assignment-rules/order", map[string]any{"ids": []string{b.ID}}), http.StatusBadRequest)
	list = contracttest.Decode[struct{ Items []leads.Rule }](e.want(e.do(admin, "PUT", "/v1/lead-assignment-rules/order",
		map[string]any{"ids": []string{b.ID, a.ID}}), http.StatusOK)).Items
	if list[0].ID != b.ID || list[0].Position != 0 || list[1].Position != 1 || list[1].Version != 2 {
		t.Fatalf("reordered %+v", list)
	}
	// Patch with If-Match.
	e.want(e.do(admin, "PATCH", "/v1/lead-assignment-rules/"+a.ID, map[string]any{"name": "x"}), http.StatusPreconditionRequired)
	e.want(e.do(admin, "PATCH", "/v1/lead-assignment-rules/"+a.ID, map[string]any{"name": "x"}, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	got := contracttest.Decode[leads.Rule](e.want(e.do(admin, "PATCH", "/v1/lead-assignment-rules/"+a.ID,
		map[string]any{"name": "China", "active": false}, "If-Match", kitx.ETag(2)), http.StatusOK))
	if got.Name != "China" || *got.Active || got.Version != 3 || got.Position != 1 || got.FirstTouchMinutes != 30 {
		t.Fatalf("patched %+v", got)
	}
	// Another tenant sees none of them.
	other := newUser(uuid.NewString())
	e.want(e.do(other, "GET", "/v1/lead-assignment-rules/"+a.ID, nil), http.StatusNotFound)
	if n := len(contracttest.Decode[struct{ Items []leads.Rule }](e.want(e.do(other, "GET", "/v1/lead-assignment-rules", nil), http.StatusOK)).Items); n != 0 {
		t.Fatalf("another tenant lists %d rules", n)
	}
	// Writes need sales:admin; reads sales:read.
	writer := admin.scoped(admin.scope).as("sales:read", "sales:write")
	e.want(e.do(writer, "POST", "/v1/lead-assignment-rules", map[string]any{"name": "n", "target": map[string]any{"type": "user", "userId": "u"}}), http.StatusForbidden)
	e.want(e.do(writer, "DELETE", "/v1/lead-assignment-rules/"+a.ID, nil), http.StatusForbidden)
	e.want(e.do(writer, "GET", "/v1/lead-assignment-rules/"+a.ID, nil), http.StatusOK)
	// Delete: the rules after it move up.
	e.want(e.do(admin, "DELETE", "/v1/lead-assignment-rules/"+b.ID, nil), http.StatusNoContent)
	got = contracttest.Decode[leads.Rule](e.want(e.do(admin, "GET", "/v1/lead-assignment-rules/"+a.ID, nil), http.StatusOK))
	if got.Position != 0 {
		t.Fatalf("after the delete, position %d", got.Position)
	}
}

func TestLeadAssignmentRulesBadInput(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	user := map[string]any{"type": "user", "userId": "u1"}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"target": user}, "name"},
		{map[string]any{"name": "n", "target": user, "condition": map[string]any{"field": "colour", "op": "eq", "value": "red"}}, "condition/field"},
		{map[string]any{"name": "n", "target": user, "condition": map[string]any{"and": []any{
			map[string]any{"field": "source", "op": "eq", "value": "web"}, map[string]any{"field": "score", "op": "gt", "value": "many"}}}}, "condition/and/1/value"},
		{map[string]any{"name": "n", "target": map[string]any{"type": "group"}}, "target/type"},
		{map[string]any{"name": "n", "target": map[string]any{"type": "team", "teamId": "t", "strategy": "random", "members": []any{map[string]any{"userId": "u"}}}}, "target/strategy"},
		{map[string]any{"name": "n", "target": map[string]any{"type": "team", "teamId": "t", "strategy": "roundRobin"}}, "target/members"},
		{map[string]any{"name": "n", "target": team("roundRobin", []string{"u1", "u1"})}, "target/members/1/userId"},
		{map[string]any{"name": "n", "target": team("roundRobin", []string{"u1"}, "workingHours",
			map[string]any{"timeZone": "Mars/Olympus", "weekdays": []string{"mon"}, "from": "09:00", "to": "17:00"})}, "target/workingHours/timeZone"},
		{map[string]any{"name": "n", "target": team("roundRobin", []string{"u1"}, "workingHours",
			map[string]any{"timeZone": "UTC", "weekdays": []string{"mon"}, "from": "9am", "to": "17:00"})}, "target/workingHours/from"},
	} {
		r := e.want(e.do(admin, "POST", "/v1/lead-assignment-rules", c.body), http.StatusBadRequest)
		if f := r.fields(); len(f) == 0 || f[0] != c.field {
			t.Errorf("%v: fields %v, want %s", c.body, f, c.field)
		}
	}
	r := e.want(e.do(admin, "POST", "/v1/leads/assign", map[string]any{"filter": map[string]any{"field": "colour", "op": "eq", "value": "x"}}), http.StatusBadRequest)
	if f := r.fields(); len(f) == 0 || f[0] != "filter/field" {
		t.Errorf("bulk filter: fields %v", f)
	}
	e.want(e.do(admin, "POST", "/v1/leads/assign", map[string]any{}), http.StatusBadRequest)
}

func TestLeadAssignmentOrderedMatching(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	web := createRule(e, admin, map[string]any{"name": "Web", "condition": map[string]any{"field": "source", "op": "eq", "value": "web"},
		"target": map[string]any{"type": "user", "userId": "u-web"}})
	all := createRule(e, admin, map[string]any{"name": "All", "target": map[string]any{"type": "user", "userId": "u-all"}})

	l := createLead(e, admin, map[string]any{"lastName": "Li", "source": "web"})
	if l.OwnerID != "u-web" || l.AssignedByRuleID != web.ID || l.AssignmentReason != "rule 'Web' (1): user u-web" || l.Version != 1 {
		t.Fatalf("web lead: %+v", l.Lead)
	}
	l = createLead(e, admin, map[string]any{"lastName": "Wang", "source": "fair"})
	if l.OwnerID != "u-all" || l.AssignedByRuleID != all.ID {
		t.Fatalf("fair lead: %+v", l.Lead)
	}
	// An owner given is kept, unless assign=true.
	l = createLead(e, admin, map[string]any{"lastName": "Zhao", "source": "web", "ownerId": "me"})
	if l.OwnerID != "me" || l.AssignedByRuleID != "" || l.AssignmentReason != "" {
		t.Fatalf("owned lead: %+v", l.Lead)
	}
	l = contracttest.Decode[leads.Created](e.want(e.do(admin, "POST", "/v1/leads?assign=true", map[string]any{"lastName": "Qian", "ownerId": "me", "source": "web"}), http.StatusCreated))
	if l.OwnerID != "u-web" {
		t.Fatalf("assign=true: %+v", l.Lead)
	}
	// A rule switched off is skipped; reordered, the catch-all wins.
	e.want(e.do(admin, "PATCH", "/v1/lead-assignment-rules/"+all.ID, map[string]any{"active": false}, "If-Match", kitx.ETag(1)), http.StatusOK)
	l = createLead(e, admin, map[string]any{"lastName": "Sun", "source": "fair"})
	if l.OwnerID != admin.id || l.AssignedByRuleID != "" || l.AssignmentReason != "no assignment rule matched; kept by "+admin.id {
		t.Fatalf("no rule: %+v", l.Lead)
	}
	e.want(e.do(admin, "PATCH", "/v1/lead-assignment-rules/"+all.ID, map[string]any{"active": true}, "If-Match", kitx.ETag(2)), http.StatusOK)
	e.want(e.do(admin, "PUT", "/v1/lead-assignment-rules/order", map[string]any{"ids": []string{all.ID, web.ID}}), http.StatusOK)
	l = createLead(e, admin, map[string]any{"lastName": "Zhou", "source": "web"})
	if l.OwnerID != "u-all" || l.AssignmentReason != "rule 'All' (1): user u-all" {
		t.Fatalf("reordered: %+v", l.Lead)
	}
	// The events: lead.assigned after lead.created, validated.
	var created, assigned int
	for _, ev := range e.published() {
		switch {
		case ev.Subject == l.ID && strings.HasSuffix(ev.Type, ".lead.created.v1"):
			created++
		case ev.Subject == l.ID && strings.HasSuffix(ev.Type, ".lead.assigned.v1"):
			if created != 1 {
				t.Errorf("lead.assigned before lead.created")
			}
			assigned++
		}
	}
	if assigned != 1 {
		t.Errorf("%d lead.assigned", assigned)
	}
	validateEvents(t, e)
}

func TestLeadAssignmentRoundRobinAcrossReplicas(t *testing.T) {
	e := newEnv(t)
	r := e.replica()
	admin := newUser(uuid.NewString())
	members := people("rr", 4)
	createRule(e, admin, map[string]any{"name": "Round", "target": team("roundRobin", members)})
	// In turn, alternating between the replicas: the rotation is the
	// database's, so it continues from one instance to the other.
	var seq []string
	for i := range 8 {
		inst := e
		if i%2 == 1 {
			inst = r
		}
		l := createLead(inst, admin, map[string]any{"lastName": fmt.Sprint("L", i)})
		seq = append(seq, l.OwnerID)
		if l.TeamID != "team-roundRobin" {
			t.Fatalf("team %q", l.TeamID)
		}
	}
	for i, o := range seq {
		if o != members[i%4] {
			t.Fatalf("rotation %v, want the members in turn %v", seq, members)
		}
	}
	if got := createLead(e, admin, map[string]any{"lastName": "n"}).AssignmentReason; got != "rule 'Round' (1): round robin among 4, next after "+members[3] {
		t.Fatalf("reason %q", got)
	}
	// At once on both replicas: still even.
	counts := owners(createAtOnce(e, r, admin, 39, func(i int) map[string]any { return map[string]any{"lastName": fmt.Sprint("C", i)} }))
	// 9 before (members[0] had 3), 39 now: 48 in all, 12 each.
	counts[members[0]] += 3
	for _, m := range members[1:] {
		counts[m] += 2
	}
	for _, m := range members {
		if counts[m] != 12 {
			t.Fatalf("counts %v, want 12 each", counts)
		}
	}
}

func TestLeadAssignmentLeastLoadedAndCap(t *testing.T) {
	e := newEnv(t)
	r := e.replica()
	admin := newUser(uuid.NewString())
	ll := people("ll", 3)
	// Open leads owned already: ll1 two, ll3 one; a disqualified one of ll2
	// does not count.
	for _, o := range []string{ll[0], ll[0], ll[2]} {
		createLead(e, admin, map[string]any{"lastName": "pre", "ownerId": o})
	}
	createLead(e, admin, map[string]any{"lastName": "pre", "ownerId": ll[1], "status": "disqualified", "disqualifiedReason": "spam"})
	createRule(e, admin, map[string]any{"name": "Load", "condition": map[string]any{"field": "source", "op": "eq", "value": "load"},
		"target": team("leastLoaded", ll)})
	var seq []string
	for range 3 {
		seq = append(seq, createLead(e, admin, map[string]any{"lastName": "x", "source": "load"}).OwnerID)
	}
	if want := []string{ll[1], ll[2], ll[1]}; fmt.Sprint(seq) != fmt.Sprint(want) {
		t.Fatalf("least loaded %v, want %v", seq, want)
	}

	// Capped: three members at most 4 open leads each, then a fallback.
	capped := people("cap", 3)
	createRule(e, admin, map[string]any{"name": "Capped", "condition": map[string]any{"field": "source", "op": "eq", "value": "cap"},
		"target": team("roundRobin", capped, "maxOpenLeads", 4)})
	createRule(e, admin, map[string]any{"name": "Fallback", "condition": map[string]any{"field": "source", "op": "eq", "value": "cap"},
		"target": map[string]any{"type": "user", "userId": "overflow"}})
	list := createAtOnce(e, r, admin, 20, func(int) map[string]any { return map[string]any{"lastName": "c", "source": "cap"} })
	counts := owners(list)
	for _, m := range capped {
		if counts[m] != 4 {
			t.Fatalf("counts %v: want 4 for each capped member", counts)
		}
	}
	if counts["overflow"] != 8 {
		t.Fatalf("counts %v: want 8 overflowing", counts)
	}
	for _, l := range list {
		if l.OwnerID == "overflow" && !strings.Contains(l.AssignmentReason, "rule 'Capped' (2) matched; nobody available ("+capped[0]+": at cap 4") {
			t.Fatalf("overflow reason %q", l.AssignmentReason)
		}
	}
	// A capped member's lead closed frees a place.
	var one leads.Created
	for _, l := range list {
		if l.OwnerID == capped[1] {
			one = l
		}
	}
	patchLead(e, admin, one.ID, one.Version, map[string]any{"status": "disqualified", "disqualifiedReason": "no budget"}, http.StatusOK)
	if got := createLead(e, admin, map[string]any{"lastName": "c", "source": "cap"}); got.OwnerID != capped[1] {
		t.Fatalf("after a close: %+v", got.Lead)
	}
}

func TestLeadAssignmentWorkingHours(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	now := time.Now().UTC()
	hhmm := func(d time.Duration) string { return now.Add(d).Format("15:04") }
	all := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	away := map[string]any{"timeZone": "UTC", "weekdays": all, "from": hhmm(6 * time.Hour), "to": hhmm(7 * time.Hour)}
	here := map[string]any{"timeZone": "Asia/Shanghai", "weekdays": all,
		"from": now.Add(-3 * time.Hour).In(shanghai(t)).Format("15:04"), "to": now.Add(3 * time.Hour).In(shanghai(t)).Format("15:04")}
	m := people("wh", 2)
	createRule(e, admin, map[string]any{"name": "Hours", "target": map[string]any{"type": "team", "teamId": "t", "strategy": "roundRobin",
		"members": []any{map[string]any{"userId": m[0], "workingHours": away}, map[string]any{"userId": m[1]}}, "workingHours": here}})
	for range 3 {
		l := createLead(e, admin, map[string]any{"lastName": "h"})
		if l.OwnerID != m[1] || !strings.Contains(l.AssignmentReason, m[0]+": outside working hours") {
			t.Fatalf("%+v", l.Lead)
		}
	}
	// Inactive: skipped too; nobody left, the lead stays with its creator.
	rules := contracttest.Decode[struct{ Items []leads.Rule }](e.want(e.do(admin, "GET", "/v1/lead-assignment-rules", nil), http.StatusOK)).Items
	e.want(e.do(admin, "PATCH", "/v1/lead-assignment-rules/"+rules[0].ID, map[string]any{"target": map[string]any{
		"members": []any{map[string]any{"userId": m[0], "workingHours": away}, map[string]any{"userId": m[1], "active": false}}}},
		"If-Match", kitx.ETag(rules[0].Version)), http.StatusOK)
	l := createLead(e, admin, map[string]any{"lastName": "h"})
	if want := "rule 'Hours' (1) matched; nobody available (" + m[0] + ": outside working hours, " + m[1] + ": inactive); kept by " + admin.id; l.OwnerID != admin.id || l.AssignmentReason != want {
		t.Fatalf("reason %q, want %q", l.AssignmentReason, want)
	}
}

// shanghai is Asia/Shanghai.
func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestLeadAssignmentRerunAndBulk(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	var ids []string
	for i := range 7 {
		ids = append(ids, createLead(e, admin, map[string]any{"lastName": fmt.Sprint("B", i), "source": "bulk"}).ID)
	}
	m := people("bulk", 2)
	rule := createRule(e, admin, map[string]any{"name": "Bulk", "condition": map[string]any{"field": "source", "op": "eq", "value": "bulk"},
		"target": team("roundRobin", m), "firstTouchMinutes": 60})
	// One again.
	a := contracttest.Decode[leads.Assigned](e.want(e.do(admin, "POST", "/v1/leads/"+ids[0]+"/assign", nil), http.StatusOK))
	if a.OwnerID != m[0] || a.PreviousOwnerID != admin.id || a.Version != 2 || a.AssignedByRuleID != rule.ID || a.FirstTouchDueAt == nil {
		t.Fatalf("assigned %+v", a)
	}
	// Many, by filter: the other six, and the first again.
	got := contracttest.Decode[leads.BulkAssigned](e.want(e.do(admin, "POST", "/v1/leads/assign",
		map[string]any{"filter": map[string]any{"field": "source", "op": "eq", "value": "bulk"}}), http.StatusOK))
	if got.Leads != 7 || got.Assigned != 7 {
		t.Fatalf("bulk %+v", got)
	}
	counts := map[string]int{}
	for _, id := range ids {
		counts[contracttest.Decode[leads.Lead](e.want(e.do(admin, "GET", "/v1/leads/"+id, nil), http.StatusOK)).OwnerID]++
	}
	// In id order after the first went to m[0]: m[1], m[0], … m[1].
	if counts[m[0]] != 3 || counts[m[1]] != 4 {
		t.Fatalf("counts %v", counts)
	}
	// By ids, within the caller's scope: another's lead out of it is left.
	own := admin.scoped(auth.ScopeOwn)
	got = contracttest.Decode[leads.BulkAssigned](e.want(e.do(own, "POST", "/v1/leads/assign", map[string]any{"ids": ids}), http.StatusOK))
	if got.Leads != 0 {
		t.Fatalf("out of scope %+v", got)
	}
	e.want(e.do(own, "POST", "/v1/leads/"+ids[1]+"/assign", nil), http.StatusNotFound)
	validateEvents(t, e)
}

func TestLeadAssignmentCustomFieldsAndTags(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	e.want(e.do(admin, "POST", "/v1/lead-custom-fields", map[string]any{"key": "budget", "label": "Budget", "type": "decimal"}), http.StatusCreated)
	r := e.want(e.do(admin, "POST", "/v1/lead-assignment-rules", map[string]any{"name": "n", "target": map[string]any{"type": "user", "userId": "u"},
		"condition": map[string]any{"field": "customFields.colour", "op": "eq", "value": "red"}}), http.StatusBadRequest)
	if f := r.fields(); len(f) == 0 || f[0] != "condition/field" {
		t.Fatalf("unknown custom field: %v", f)
	}
	createRule(e, admin, map[string]any{"name": "Big", "condition": map[string]any{"field": "customFields.budget", "op": "gte", "value": "10000.50"},
		"target": map[string]any{"type": "user", "userId": "big"}})
	createRule(e, admin, map[string]any{"name": "VIP", "condition": map[string]any{"field": "tags", "op": "contains", "value": "VIP"},
		"target": map[string]any{"type": "user", "userId": "vip"}})
	for _, c := range []struct {
		body  map[string]any
		owner string
	}{
		{map[string]any{"lastName": "a", "customFields": map[string]any{"budget": "10000.50"}, "tags": []string{"VIP"}}, "big"},
		{map[string]any{"lastName": "b", "customFields": map[string]any{"budget": "9999.99"}, "tags": []string{"VIP"}}, "vip"},
		{map[string]any{"lastName": "c", "customFields": map[string]any{"budget": "9999.99"}}, admin.id},
	} {
		if l := createLead(e, admin, c.body); l.OwnerID != c.owner {
			t.Errorf("%v: owner %s, want %s (%s)", c.body, l.OwnerID, c.owner, l.AssignmentReason)
		}
	}
	got := contracttest.Decode[leads.BulkAssigned](e.want(e.do(admin, "POST", "/v1/leads/assign",
		map[string]any{"filter": map[string]any{"field": "customFields.budget", "op": "lt", "value": 10000}}), http.StatusOK))
	if got.Leads != 2 || got.Assigned != 1 {
		t.Fatalf("bulk by a custom field %+v", got)
	}
}
