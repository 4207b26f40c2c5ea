package notify

import (
	"testing"
	"time"
)

// TestKinds publishes a real event of each kind to Kafka and checks the
// notification the consumer stores: its recipient, kind, params and link;
// and that actors, strangers and other tenants' users get none.
func TestKinds(t *testing.T) {
	e := newEnv(t)
	a, b := e.tenantA, e.tenantB
	rep := e.user(t, a, "Rep Ray", "ray@example.com", "en", "active")
	boss := e.user(t, a, "Boss Bo", "bo@example.com", "en", "active")
	boss2 := e.user(t, a, "Boss Two", "two@example.com", "en", "active")
	gone := e.user(t, a, "Gone Gil", "gil@example.com", "en", "disabled")
	other := e.user(t, b, "Other Olga", "olga@example.com", "en", "active")
	e.startConsumer(t, false)

	due := time.Date(2026, 12, 6, 12, 30, 0, 0, time.UTC)
	contact := "0190c5e6-0000-7000-8000-00000000c0de"
	e.publish(t, a, TypeReminderDue, reminderPayload(rep, due))
	e.publish(t, a, TypeLeadAssigned, leadPayload(rep, ""))
	e.publish(t, a, TypeLeadAssigned, leadPayload(boss, boss)) // no new owner
	e.publish(t, a, TypeContactUpdated, contactUpdated(rep, "ownerId"))
	e.publish(t, a, TypeContactUpdated, contactUpdated(rep, "jobTitle")) // owner unchanged
	e.publish(t, a, TypeAccountUpdated, accountUpdated(rep, "ownerId", "name"))
	e.publish(t, a, TypeOpportunityUpdated, opportunityUpdated(rep, "ownerId"))
	e.publish(t, a, TypeQuoteSubmitted, quotePayload("submit", "draft", "pendingApproval", rep, rep, "", boss, boss2, gone, rep))
	e.publish(t, a, TypeQuoteApproved, quotePayload("approve", "pendingApproval", "approved", rep, boss, "fine"))
	// A first level approved: the second level's approver is waited for.
	e.publish(t, a, TypeQuoteApproved, quotePayload("approve", "pendingApproval", "pendingApproval", rep, boss, "ok", boss2))
	e.publish(t, a, TypeQuoteRejected, quotePayload("reject", "pendingApproval", "rejected", rep, boss, "too cheap"))
	note := "Hi @[Boss Bo](user:" + boss + ") and @[Olga](user:" + other + "), see <b>this</b>; me: @[Rep Ray](user:" + rep + ")"
	e.publish(t, a, TypeActivityCreated, activityPayload("note", rep, rep, contact, note))
	e.publish(t, a, TypeActivityCreated, activityPayload("call", rep, rep, contact, "@[Boss Bo](user:"+boss+")")) // not a note

	repList := e.wait(t, a, rep, 7)
	byKind := map[string][]Notification{}
	for _, n := range repList {
		byKind[n.Kind] = append(byKind[n.Kind], n)
	}
	want := map[string]int{KindTaskReminder: 1, KindLeadAssigned: 1, KindRecordAssigned: 3, KindQuoteApproved: 1, KindQuoteRejected: 1}
	for k, n := range want {
		if len(byKind[k]) != n {
			t.Errorf("rep has %d %s, want %d (all: %+v)", len(byKind[k]), k, n, repList)
		}
	}
	if r := byKind[KindTaskReminder]; len(r) == 1 && (r[0].Params["due"] != "2026-12-06T12:30:00Z" || r[0].Params["subject"] != "Call Li Wei back" || r[0].Link != "/") {
		t.Errorf("reminder %+v", r[0])
	}
	if l := byKind[KindLeadAssigned]; len(l) == 1 && (l[0].Params["name"] != "Ada Lovelace" || l[0].Link != "/leads/"+l[0].Params["id"]) {
		t.Errorf("lead assigned %+v", l[0])
	}
	entities := map[string]string{}
	for _, n := range byKind[KindRecordAssigned] {
		entities[n.Params["entity"]] = n.Params["name"] + " " + n.Link
	}
	for entity, prefix := range map[string]string{"contact": "王小明 /contacts/", "account": "Acme <b>Ltd</b> /accounts/", "opportunity": "Big deal /opportunities/"} {
		if got := entities[entity]; len(got) < len(prefix) || got[:len(prefix)] != prefix {
			t.Errorf("%s assigned: %q, want %q…", entity, got, prefix)
		}
	}
	if q := byKind[KindQuoteRejected]; len(q) == 1 && (q[0].Params["actor"] != "Boss Bo" || q[0].Params["comment"] != "too cheap" || q[0].Params["number"] != "Q-2026-000042") {
		t.Errorf("quote rejected %+v", q[0])
	}

	// The approvers but the submitter and the disabled one; the mention
	// of the same tenant's user, not of the author nor another tenant's.
	bossList := e.wait(t, a, boss, 2)
	kinds := map[string]Notification{}
	for _, n := range bossList {
		kinds[n.Kind] = n
	}
	ap, ok := kinds[KindApprovalRequired]
	if !ok || ap.Params["actor"] != "Rep Ray" || ap.Params["total"] != "12345.00 EUR" || ap.Link != "/quotes/"+ap.Params["id"] {
		t.Errorf("approval waiting %+v", ap)
	}
	m, ok := kinds[KindNoteMention]
	if !ok || m.Link != "/contacts/"+contact || m.Params["actor"] != "Rep Ray" || m.Params["excerpt"] != "Hi @Boss Bo and @Olga, see <b>this</b>; me: @Rep Ray" {
		t.Errorf("mention %+v", m)
	}
	for _, n := range e.wait(t, a, boss2, 2) {
		if n.Kind != KindApprovalRequired {
			t.Errorf("the second approver got %+v", n)
		}
	}
	e.wait(t, a, gone, 0)
	e.wait(t, b, other, 0)
	var stored int
	if err := e.admin.Get(&stored, `SELECT count(*) FROM notifications`); err != nil || stored != 11 {
		t.Errorf("%d notifications stored (%v), want 11", stored, err)
	}
}

// TestMentionsOnEdit: editing a note's body tells only the users it newly
// mentions, once; an update that leaves the body alone tells no one, and
// one whose body names the same users again neither.
func TestMentionsOnEdit(t *testing.T) {
	e := newEnv(t)
	a := e.tenantA
	rep := e.user(t, a, "Rep Ray", "ray@example.com", "en", "active")
	boss := e.user(t, a, "Boss Bo", "bo@example.com", "en", "active")
	ann := e.user(t, a, "Ann", "ann@example.com", "en", "active")
	cid := e.user(t, a, "Cid", "cid@example.com", "en", "active")
	dee := e.user(t, a, "Dee", "dee@example.com", "en", "active")
	e.startConsumer(t, false)
	contact := "0190c5e6-0000-7000-8000-00000000c0de"
	at := func(name, id string) string { return "@[" + name + "](user:" + id + ")" }
	note := activityPayload("note", rep, rep, contact, "Ask "+at("Boss Bo", boss))
	id := note["id"].(string)
	edit := func(body string, changed ...string) map[string]any {
		p := activityPayload("note", rep, rep, contact, body)
		p["id"], p["version"], p["changed"] = id, 2, changed
		return p
	}
	e.publishOf(t, a, TypeActivityCreated, id, note)
	e.publishOf(t, a, TypeActivityUpdated, id, edit("Ask "+at("Boss Bo", boss)+" and "+at("Ann", ann), "body"))
	e.publishOf(t, a, TypeActivityUpdated, id, edit("Ask "+at("Cid", cid), "subject")) // the body is not what changed
	e.publishOf(t, a, TypeActivityUpdated, id, edit(at("Ann", ann)+" "+at("Boss Bo", boss)+", again", "body"))
	e.publishOf(t, a, TypeActivityUpdated, id, edit("Now "+at("Dee", dee), "body"))

	// Dee's comes last on the note's partition: by then every other one
	// has been made or not.
	if d := e.wait(t, a, dee, 1); d[0].Kind != KindNoteMention || d[0].Params["excerpt"] != "Now @Dee" || d[0].Params["actor"] != "Rep Ray" {
		t.Errorf("dee's %+v", d[0])
	}
	if b := e.wait(t, a, boss, 1); b[0].Params["excerpt"] != "Ask @Boss Bo" {
		t.Errorf("boss's %+v, want the one of the new note only", b[0])
	}
	if n := e.wait(t, a, ann, 1); n[0].Params["excerpt"] != "Ask @Boss Bo and @Ann" || n[0].Link != "/contacts/"+contact {
		t.Errorf("ann's %+v, want the one of the edit that first named her", n[0])
	}
	e.wait(t, a, cid, 0)
	var stored int
	if err := e.admin.Get(&stored, `SELECT count(*) FROM notifications`); err != nil || stored != 3 {
		t.Errorf("%d notifications stored (%v), want 3", stored, err)
	}
}
