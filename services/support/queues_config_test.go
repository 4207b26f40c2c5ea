package support_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/queues"
)

// createQueue creates a support queue as u from body.
func (e *env) createQueue(u user, body map[string]any) queues.Queue {
	e.t.Helper()
	return contracttest.Decode[queues.Queue](e.want(e.do(u, "POST", "/v1/support-queues", body), http.StatusCreated))
}

// createRoutingRule creates a routing rule as u from body.
func (e *env) createRoutingRule(u user, body map[string]any) queues.Rule {
	e.t.Helper()
	return contracttest.Decode[queues.Rule](e.want(e.do(u, "POST", "/v1/routing-rules", body), http.StatusCreated))
}

// preview previews the routing of a case of fields as u.
func (e *env) preview(u user, fields map[string]any) queues.Preview {
	e.t.Helper()
	return contracttest.Decode[queues.Preview](e.want(e.do(u, "POST", "/v1/routing-rules/preview", fields), http.StatusOK))
}

// member is a queue member of userID with capacity and skills.
func member(userID string, capacity int, skills ...string) map[string]any {
	if skills == nil {
		skills = []string{}
	}
	return map[string]any{"userId": userID, "capacity": capacity, "skills": skills}
}

func TestSupportQueuesCRUD(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	q := e.createQueue(admin, map[string]any{"name": " Billing ", "members": []any{member("ann", 3, "Billing", " billing", "zh")},
		"requiredSkills": []string{"BILLING"}, "assignmentMode": "round_robin", "defaultPriority": "high"})
	if q.Name != "Billing" || q.Version != 1 || len(q.Members) != 1 || !slices.Equal(q.Members[0].Skills, []string{"billing", "zh"}) ||
		!slices.Equal(q.RequiredSkills, []string{"billing"}) || q.AssignmentMode != queues.ModeRoundRobin || q.DefaultPriority != "high" {
		t.Fatalf("created %+v", q)
	}
	plain := e.createQueue(admin, map[string]any{"name": "General"})
	if plain.AssignmentMode != queues.ModeLeastLoaded || plain.Members == nil {
		t.Fatalf("defaults %+v", plain)
	}
	e.want(e.do(admin, "POST", "/v1/support-queues", map[string]any{"name": "billing"}), http.StatusConflict)

	// Bad input: every bad field named, nothing stored.
	bad := e.want(e.do(admin, "POST", "/v1/support-queues", map[string]any{"name": "", "assignmentMode": "random", "defaultPriority": "meh",
		"members": []any{member("bob", 0), member("bob", 2)}}), http.StatusBadRequest)
	if got := bad.fields(); !slices.Equal(got, []string{"name", "assignmentMode", "defaultPriority", "members/0/capacity", "members/1/userId"}) {
		t.Fatalf("bad fields %v", got)
	}
	reader := admin.as("support:read", "support:write")
	e.want(e.do(reader, "POST", "/v1/support-queues", map[string]any{"name": "Nope"}), http.StatusForbidden)

	got := contracttest.Decode[queues.Queue](e.want(e.do(reader, "GET", "/v1/support-queues/"+q.ID, nil), http.StatusOK))
	if got.ID != q.ID || got.Name != "Billing" {
		t.Fatalf("got %+v", got)
	}
	patched := contracttest.Decode[queues.Queue](e.want(e.do(admin, "PATCH", "/v1/support-queues/"+q.ID,
		map[string]any{"defaultPriority": nil, "members": []any{member("ann", 3, "billing"), member("cy", 1, "billing")}},
		"If-Match", kitx.ETag(q.Version)), http.StatusOK))
	if patched.Version != 2 || patched.DefaultPriority != "" || len(patched.Members) != 2 {
		t.Fatalf("patched %+v", patched)
	}
	e.want(e.do(admin, "PATCH", "/v1/support-queues/"+q.ID, map[string]any{"name": "x"}, "If-Match", kitx.ETag(q.Version)), http.StatusPreconditionFailed)
	list := contracttest.Decode[struct{ Items []queues.Queue }](e.want(e.do(reader, "GET", "/v1/support-queues", nil), http.StatusOK))
	if len(list.Items) != 2 || list.Items[0].ID != q.ID || list.Items[1].ID != plain.ID {
		t.Fatalf("list %+v", list.Items)
	}

	// A queue a rule routes to is kept until the rule goes.
	r := e.createRoutingRule(admin, map[string]any{"name": "all", "queueId": plain.ID})
	e.want(e.do(admin, "DELETE", "/v1/support-queues/"+plain.ID, nil), http.StatusConflict)
	e.want(e.do(admin, "DELETE", "/v1/routing-rules/"+r.ID, nil), http.StatusNoContent)
	e.want(e.do(admin, "DELETE", "/v1/support-queues/"+plain.ID, nil), http.StatusNoContent)
	e.want(e.do(reader, "GET", "/v1/support-queues/"+plain.ID, nil), http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/support-queues/"+q.ID, nil), http.StatusNotFound)

	contracttest.ValidateEvents(t, "api/events", e.published())
	var types []string
	for _, ev := range e.published() {
		if ev.Subject == plain.ID || ev.Subject == q.ID || ev.Subject == r.ID {
			types = append(types, ev.Type)
		}
	}
	want := []string{"dev.rapport.support.support_queue.created.v1", "dev.rapport.support.support_queue.created.v1",
		"dev.rapport.support.support_queue.updated.v1", "dev.rapport.support.routing_rule.created.v1",
		"dev.rapport.support.routing_rule.deleted.v1", "dev.rapport.support.support_queue.deleted.v1"}
	if !slices.Equal(types, want) {
		t.Fatalf("events %v", types)
	}
}

func TestRoutingRulesAndPreview(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	e.want(e.do(admin, "POST", "/v1/case-custom-fields", map[string]any{"key": "account_tier", "label": "Account tier",
		"type": "singleSelect", "options": []string{"gold", "silver"}}), http.StatusCreated)
	vip := e.createQueue(admin, map[string]any{"name": "VIP"})
	refunds := e.createQueue(admin, map[string]any{"name": "Refunds"})
	chinese := e.createQueue(admin, map[string]any{"name": "中文"})
	general := e.createQueue(admin, map[string]any{"name": "General"})

	gold := e.createRoutingRule(admin, map[string]any{"name": "gold accounts", "queueId": vip.ID, "condition": map[string]any{
		"and": []any{map[string]any{"field": "accountTier", "op": "eq", "value": "gold"},
			map[string]any{"field": "priority", "op": "in", "value": []string{"high", "urgent"}}}}})
	refund := e.createRoutingRule(admin, map[string]any{"name": "refunds", "queueId": refunds.ID, "condition": map[string]any{
		"or": []any{map[string]any{"field": "keywords", "op": "contains", "value": "refund"},
			map[string]any{"field": "tags", "op": "contains", "value": "billing"}}}})
	zh := e.createRoutingRule(admin, map[string]any{"name": "Chinese by mail", "queueId": chinese.ID, "condition": map[string]any{
		"and": []any{map[string]any{"field": "language", "op": "eq", "value": "zh-CN"},
			map[string]any{"field": "channel", "op": "eq", "value": "email"}}}})
	e.createRoutingRule(admin, map[string]any{"name": "the rest", "queueId": general.ID, "position": 100})
	if *gold.Position != 0 || *refund.Position != 1 || *zh.Position != 2 || !*gold.Active {
		t.Fatalf("positions %d %d %d", *gold.Position, *refund.Position, *zh.Position)
	}

	for _, c := range []struct {
		fields map[string]any
		rule   string
		queue  string
	}{
		{map[string]any{"subject": "Card declined", "priority": "urgent", "customFields": map[string]any{"account_tier": "gold"}}, gold.ID, vip.ID},
		{map[string]any{"subject": "Card declined", "customFields": map[string]any{"account_tier": "gold"}}, "", general.ID},
		{map[string]any{"subject": "Where is my REFUND?"}, refund.ID, refunds.ID},
		{map[string]any{"subject": "Hi", "description": "I want a refund please"}, refund.ID, refunds.ID},
		{map[string]any{"subject": "Invoice", "tags": []string{"billing"}}, refund.ID, refunds.ID},
		{map[string]any{"subject": "发票问题", "language": "zh-CN", "channel": "email"}, zh.ID, chinese.ID},
		{map[string]any{"subject": "发票问题", "language": "zh-CN", "channel": "chat"}, "", general.ID},
	} {
		p := e.preview(admin, c.fields)
		if p.QueueID != c.queue || (c.rule != "" && p.RuleID != c.rule) {
			t.Errorf("preview %v: %+v, want rule %s queue %s", c.fields, p, c.rule, c.queue)
		}
	}

	// An inactive rule routes nothing; a reorder changes who wins.
	off := false
	e.want(e.do(admin, "PATCH", "/v1/routing-rules/"+refund.ID, map[string]any{"active": off}, "If-Match", kitx.ETag(refund.Version)), http.StatusOK)
	if p := e.preview(admin, map[string]any{"subject": "refund"}); p.QueueID != general.ID {
		t.Fatalf("inactive rule still routes: %+v", p)
	}
	e.want(e.do(admin, "PATCH", "/v1/routing-rules/"+zh.ID, map[string]any{"position": 200}, "If-Match", kitx.ETag(zh.Version)), http.StatusOK)
	if p := e.preview(admin, map[string]any{"subject": "x", "language": "zh-CN", "channel": "email"}); p.QueueID != general.ID {
		t.Fatalf("reordered: %+v", p)
	}

	// Bad conditions and queues are named; nothing is stored.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "x", "queueId": vip.ID, "condition": map[string]any{"field": "mood", "op": "eq", "value": "angry"}}, "condition/field"},
		{map[string]any{"name": "x", "queueId": vip.ID, "condition": map[string]any{"and": []any{
			map[string]any{"field": "priority", "op": "eq", "value": "whenever"}}}}, "condition/and/0/value"},
		{map[string]any{"name": "x", "queueId": vip.ID, "condition": map[string]any{"field": "tags", "op": "startsWith", "value": "a"}}, "condition/op"},
		{map[string]any{"name": "x", "queueId": uuid.NewString()}, "queueId"},
		{map[string]any{"name": "x", "queueId": "nope"}, "queueId"},
		{map[string]any{"name": "", "queueId": vip.ID}, "name"},
	} {
		r := e.want(e.do(admin, "POST", "/v1/routing-rules", c.body), http.StatusBadRequest)
		if got := r.fields(); !slices.Contains(got, c.field) {
			t.Errorf("%v: fields %v, want %s", c.body, got, c.field)
		}
	}
	r := e.want(e.do(admin, "POST", "/v1/routing-rules/preview", map[string]any{"priority": "soon", "channel": "fax"}), http.StatusBadRequest)
	if got := r.fields(); !slices.Equal(got, []string{"channel", "priority"}) {
		t.Fatalf("preview fields %v", got)
	}
	list := contracttest.Decode[struct{ Items []queues.Rule }](e.want(e.do(admin, "GET", "/v1/routing-rules", nil), http.StatusOK))
	if len(list.Items) != 4 || list.Items[0].ID != gold.ID || list.Items[3].ID != zh.ID {
		t.Fatalf("rules %+v", list.Items)
	}

	// A rule on a custom field routes by it; once the field is deleted the
	// rule matches nothing and the others still route.
	region := contracttest.Decode[struct{ ID string }](e.want(e.do(admin, "POST", "/v1/case-custom-fields", map[string]any{"key": "region",
		"label": "Region", "type": "text"}), http.StatusCreated))
	e.createRoutingRule(admin, map[string]any{"name": "EU", "queueId": vip.ID, "position": 0,
		"condition": map[string]any{"field": "customFields.region", "op": "eq", "value": "eu"}})
	if p := e.preview(admin, map[string]any{"subject": "x", "customFields": map[string]any{"region": "eu"}}); p.QueueID != vip.ID {
		t.Fatalf("custom field rule: %+v", p)
	}
	e.want(e.do(admin, "DELETE", "/v1/case-custom-fields/"+region.ID, nil), http.StatusNoContent)
	if p := e.preview(admin, map[string]any{"subject": "x", "customFields": map[string]any{"region": "eu"}}); p.QueueID != general.ID {
		t.Fatalf("rule on a deleted field: %+v", p)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}
