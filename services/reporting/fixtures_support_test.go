package reporting_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
)

// kase is a case as support's case.* events carry it (its full state).
// Queue, Contact, Account and MergedInto are uuids or ""; Number defaults
// to 1, Channel to email, Priority to normal, Status to new (closed for a
// merge), Version to 1, Created to 2026-01-01, Updated to Created; a zero
// Solved or Closed is left out.
type kase struct {
	ID                                                                             string
	Number                                                                         int
	Channel, Queue, Priority, Status, Type, Assignee, Contact, Account, MergedInto string
	Created, Solved, Closed, Updated                                               time.Time
	Version                                                                        int
}

// caseEvent returns the case.<verb> event (created, updated,
// status_changed, merged, deleted) of c, made at c.Updated.
func caseEvent(t testing.TB, verb string, c kase) fxEvent {
	t.Helper()
	created := fxTime(c.Created)
	updated := created
	if !c.Updated.IsZero() {
		updated = c.Updated.UTC()
	}
	status := fxOr(c.Status, "new")
	if verb == "merged" {
		status = fxOr(c.Status, "closed")
	}
	data := map[string]any{
		"id": c.ID, "number": fxOne(c.Number), "subject": "Printer on fire", "description": "", "channel": fxOr(c.Channel, "email"),
		"type": c.Type, "priority": fxOr(c.Priority, "normal"), "status": status, "tags": []string{},
		"customFields": map[string]any{}, "links": []any{}, "language": "en", "createdBy": "agent",
		"createdAt": created, "updatedAt": updated, "version": fxOne(c.Version),
	}
	for k, v := range map[string]string{"queueId": c.Queue, "assigneeId": c.Assignee, "contactId": c.Contact,
		"accountId": c.Account, "mergedInto": c.MergedInto} {
		if v != "" {
			data[k] = v
		}
	}
	for k, v := range map[string]time.Time{"solvedAt": c.Solved, "closedAt": c.Closed} {
		if !v.IsZero() {
			data[k] = v.UTC()
		}
	}
	switch verb {
	case "updated":
		data["changed"] = []string{"priority"}
	case "status_changed":
		data["fromStatus"] = "new"
		if status == "new" {
			data["fromStatus"] = "open"
		}
	case "merged":
		if c.MergedInto == "" {
			t.Fatal("case.merged: MergedInto is required")
		}
	}
	return fxEvent{typ: "dev.rapport.support.case." + verb + ".v1", subject: c.ID, at: updated, data: data}
}

// caseReplyEvent returns the case_entry.created of an agent's public
// reply to caseID at at.
func caseReplyEvent(caseID string, at time.Time) fxEvent {
	at = fxTime(at)
	return fxEvent{typ: "dev.rapport.support.case_entry.created.v1", subject: caseID, at: at, data: map[string]any{
		"id": uuid.NewString(), "caseId": caseID, "kind": "reply", "public": true, "authorType": "agent", "authorId": "agent",
		"channel": "email", "bodyText": "On it.", "bodyHtml": "<p>On it.</p>", "attachments": []any{}, "createdAt": at,
	}}
}

// breachEvent returns the case.sla_breached of caseID's target
// (first_response, next_response, resolution) due at due.
func breachEvent(caseID, target string, due time.Time) fxEvent {
	due = fxTime(due)
	return fxEvent{typ: "dev.rapport.support.case.sla_breached.v1", subject: caseID, at: due, data: map[string]any{
		"caseId": caseID, "number": 1, "target": target, "dueAt": due, "policyId": uuid.NewString(),
	}}
}

// surveyEvent returns the survey.answered of survey id of kind (csat,
// nps) with score at at; caseID, queue, agent and contact "" are left
// out.
func surveyEvent(id, kind string, score int, caseID, queue, agent, contact string, at time.Time) fxEvent {
	at = fxTime(at)
	low := kind == "csat" && score <= 2 || kind == "nps" && score <= 6
	data := map[string]any{
		"id": id, "kind": kind, "address": "customer@example.com", "status": "answered",
		"sendAfter": at.Add(-2 * time.Hour), "sentAt": at.Add(-time.Hour), "expiresAt": at.Add(30 * 24 * time.Hour),
		"low": low, "createdAt": at.Add(-2 * time.Hour), "score": score, "answeredAt": at, "reopened": false, "alert": false,
	}
	if caseID != "" {
		data["caseId"], data["caseNumber"] = caseID, 1
	}
	for k, v := range map[string]string{"queueId": queue, "agentId": agent, "contactId": contact} {
		if v != "" {
			data[k] = v
		}
	}
	return fxEvent{typ: "dev.rapport.support.survey.answered.v1", subject: id, at: at, data: data}
}

// publishCase publishes support's case.<verb> (created, updated,
// status_changed, merged, deleted) of c in tenant and returns the event's
// id.
func (e *env) publishCase(tenant, verb string, c kase) string {
	e.t.Helper()
	return e.fxPublish(registry.Support, tenant, caseEvent(e.t, verb, c))
}

// publishCaseReply publishes an agent's public reply to caseID at at in
// tenant (case_entry.created) and returns the event's id.
func (e *env) publishCaseReply(tenant, caseID string, at time.Time) string {
	e.t.Helper()
	return e.fxPublish(registry.Support, tenant, caseReplyEvent(caseID, at))
}

// publishBreach publishes case.sla_breached of caseID's target due at due
// in tenant and returns the event's id.
func (e *env) publishBreach(tenant, caseID, target string, due time.Time) string {
	e.t.Helper()
	return e.fxPublish(registry.Support, tenant, breachEvent(caseID, target, due))
}

// publishSurvey publishes survey.answered of survey id in tenant and
// returns the event's id.
func (e *env) publishSurvey(tenant, id, kind string, score int, caseID, queue, agent, contact string, at time.Time) string {
	e.t.Helper()
	return e.fxPublish(registry.Support, tenant, surveyEvent(id, kind, score, caseID, queue, agent, contact, at))
}

// TestIngestSupportFixturesMatchSchemas checks that every payload the
// support fixtures publish is valid against support's schema of its type.
func TestIngestSupportFixturesMatchSchemas(t *testing.T) {
	tenant, id := uuid.NewString(), uuid.NewString()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	full := kase{ID: id, Number: 7, Channel: "chat", Queue: uuid.NewString(), Priority: "high", Status: "solved",
		Type: "question", Assignee: "agent-1", Contact: uuid.NewString(), Account: uuid.NewString(),
		Created: at, Solved: at.Add(time.Hour), Updated: at.Add(time.Hour), Version: 3}
	merged := full
	merged.MergedInto, merged.Status, merged.Closed = uuid.NewString(), "", at.Add(2*time.Hour)
	fs := []fxEvent{
		caseEvent(t, "created", kase{ID: id}),
		caseEvent(t, "updated", full),
		caseEvent(t, "status_changed", full),
		caseEvent(t, "status_changed", kase{ID: id}),
		caseEvent(t, "merged", merged),
		caseEvent(t, "deleted", full),
		caseReplyEvent(id, at),
		breachEvent(id, "first_response", at),
		surveyEvent(uuid.NewString(), "csat", 5, id, "queue-1", "agent-1", uuid.NewString(), at),
		surveyEvent(uuid.NewString(), "nps", 3, "", "", "", "", at),
	}
	var evs []events.Event
	for _, f := range fs {
		evs = append(evs, f.event(t, registry.Support, tenant))
	}
	fxValidate(t, "../support/api/events", evs, 8)
}
