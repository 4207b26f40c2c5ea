package marketing_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/journeys"
)

// tagJourney is an active journey of one update step, enrolling on list,
// with the re-entry rule reEntry.
func tagJourney(name, list string, reEntry map[string]any) map[string]any {
	return map[string]any{"name": name, "status": "active", "reEntry": reEntry,
		"trigger": map[string]any{"type": "segment_entered", "segmentId": list},
		"steps":   []map[string]any{{"id": "tag", "type": "update", "update": map[string]any{"addTags": []string{name}}}}}
}

func TestJourneysApplyTheirReEntryRules(t *testing.T) {
	e, _ := newJourneysEnv(t, true)
	u := newUser(uuid.NewString())
	list, ids := e.journeyContacts(u.tenant, "re", 1)
	never := e.createJourney(u, tagJourney("never", list, map[string]any{"mode": "never"}))
	always := e.createJourney(u, tagJourney("always", list, map[string]any{"mode": "always"}))
	after := e.createJourney(u, tagJourney("after", list, map[string]any{"mode": "after", "after": "P7D"}))

	e.enterSegment(u.tenant, list, ids[0])
	for _, j := range []string{never.ID, always.ID, after.ID} {
		e.waitEnrolments(u, j, 1, journeys.EnrolmentCompleted, "")
	}
	e.enterSegment(u.tenant, list, ids[0])
	rounds := e.waitEnrolments(u, always.ID, 2, journeys.EnrolmentCompleted, "")
	if got := []int{rounds[0].Round, rounds[1].Round}; !slices.Contains(got, 1) || !slices.Contains(got, 2) {
		t.Fatalf("always: rounds %v, want 1 and 2", got)
	}
	for _, j := range []string{never.ID, after.ID} {
		if es := e.enrolments(u, j); len(es) != 1 {
			t.Fatalf("journey %s enrolled the contact %d times, want once", j, len(es))
		}
	}
	// Each run of the update step asks contacts for the change.
	updates := 0
	for _, ev := range e.journeyEvents() {
		if ev.Type == "dev.rapport.marketing.journey.contact_updated.v1" {
			if ev.Subject != ids[0] {
				t.Fatalf("contact_updated about %s, want the contact %s", ev.Subject, ids[0])
			}
			updates++
		}
	}
	if updates != 4 {
		t.Fatalf("%d contact_updated, want 4 (never, after once; always twice)", updates)
	}
}

func TestJourneysGoalConvertsTheEnrolment(t *testing.T) {
	e, sink := newJourneysEnv(t, true)
	u := newUser(uuid.NewString())
	list, ids := e.journeyContacts(u.tenant, "goal", 2)
	goal, _ := e.seedAudience(u.tenant)
	j := e.createJourney(u, map[string]any{"name": "Until they buy", "status": "active",
		"trigger": map[string]any{"type": "segment_entered", "segmentId": list},
		"goal":    map[string]any{"segmentId": goal},
		"steps": []map[string]any{
			{"id": "pause", "type": "wait", "duration": "P2D", "next": "nudge"},
			{"id": "nudge", "type": "send", "templateId": e.journeyMailTemplate(u.tenant, "Nudge"), "channel": "email"},
		}})
	e.enterSegment(u.tenant, list, ids...)
	e.waitEnrolments(u, j.ID, 2, journeys.EnrolmentActive, "pause")

	// The first enters the goal segment (its event converts it at once);
	// the second is found in it when its wait ends.
	for _, c := range ids {
		if _, err := e.admin.Exec(`INSERT INTO segment_members (tenant_id, segment_id, contact_id, entered_at) VALUES ($1, $2, $3, now())`,
			u.tenant, goal, c); err != nil {
			t.Fatal(err)
		}
	}
	e.enterSegment(u.tenant, goal, ids[0])
	for _, en := range e.enrolments(u, j.ID) {
		if want := map[string]string{ids[0]: journeys.EnrolmentConverted, ids[1]: journeys.EnrolmentActive}[en.ContactID]; en.Status != want {
			t.Fatalf("contact %s: %s, want %s", en.ContactID, en.Status, want)
		}
	}
	e.fastForward(j.ID)
	e.waitEnrolments(u, j.ID, 2, journeys.EnrolmentConverted, "")
	if n := e.count("SELECT count(*) FROM messages WHERE tenant_id = $1", u.tenant); n != 0 || len(sink.received()) != 0 {
		t.Fatalf("%d messages made, %d mails sent after the goal was reached", n, len(sink.received()))
	}
	converted := 0
	for _, ev := range e.journeyEvents() {
		if ev.Type == "dev.rapport.marketing.journey.converted.v1" {
			converted++
		}
	}
	if converted != 2 {
		t.Fatalf("%d journey.converted, want 2", converted)
	}
}

func TestJourneysRefuseBadGraphsAndGoFromDraftToArchived(t *testing.T) {
	e, _ := newJourneysEnv(t, false)
	u := newUser(uuid.NewString())
	list, contacts := e.journeyContacts(u.tenant, "bad", 1)
	tpl := e.journeyMailTemplate(u.tenant, "Hi")
	send := func(id, next string) map[string]any {
		return map[string]any{"id": id, "type": "send", "templateId": tpl, "channel": "email", "next": next}
	}
	trigger := map[string]any{"type": "segment_entered", "segmentId": list}
	for _, c := range []struct {
		name  string
		steps []map[string]any
		extra map[string]any
		want  []string
	}{
		{"dangling next", []map[string]any{send("a", "b"), send("b", "nowhere")}, nil, []string{"steps/1/next"}},
		{"unreachable", []map[string]any{send("a", ""), send("b", "")}, nil, []string{"steps/1"}},
		{"cycle", []map[string]any{send("a", "b"), {"id": "b", "type": "wait", "duration": "P1D", "next": "a"}}, nil, []string{"steps/1/next"}},
		{"duplicate id", []map[string]any{send("a", ""), send("a", "")}, nil, []string{"steps/1/id"}},
		{"unknown template", []map[string]any{{"id": "a", "type": "send", "templateId": uuid.NewString(), "channel": "email"}}, nil,
			[]string{"steps/0/templateId"}},
		{"template of the other channel", []map[string]any{{"id": "a", "type": "send", "templateId": tpl, "channel": "sms"}}, nil,
			[]string{"steps/0/templateId"}},
		{"bad duration", []map[string]any{{"id": "a", "type": "wait", "duration": "P1M"}}, nil, []string{"steps/0/duration"}},
		{"branch on a wait", []map[string]any{{"id": "a", "type": "wait", "duration": "P1D", "next": "b"},
			{"id": "b", "type": "branch", "condition": map[string]any{"opened": "a"}}}, nil, []string{"steps/1/condition/opened"}},
		{"bad filter", []map[string]any{{"id": "a", "type": "branch",
			"condition": map[string]any{"filter": map[string]any{"field": "shoeSize", "op": "eq", "value": "9"}}}}, nil,
			[]string{"steps/0/condition/filter"}},
		{"unknown segment", []map[string]any{send("a", "")}, map[string]any{"trigger": map[string]any{"type": "segment_entered",
			"segmentId": uuid.NewString()}}, []string{"trigger/segmentId"}},
		{"journey's own event", []map[string]any{send("a", "")}, map[string]any{"trigger": map[string]any{"type": "event",
			"event": "journey.enrolled"}}, []string{"trigger/event"}},
		{"bad re-entry", []map[string]any{send("a", "")}, map[string]any{"reEntry": map[string]any{"mode": "after"}},
			[]string{"reEntry/after"}},
	} {
		body := map[string]any{"name": c.name, "trigger": trigger, "steps": c.steps}
		for k, v := range c.extra {
			body[k] = v
		}
		got := e.want(e.do(u, "POST", "/v1/journeys", body), http.StatusBadRequest).fields()
		ok := len(got) > 0
		for _, f := range got {
			ok = ok && slices.ContainsFunc(c.want, func(w string) bool { return f == w || len(f) > len(w) && f[:len(w)+1] == w+"/" })
		}
		if !ok {
			t.Errorf("%s: fields %v, want %v", c.name, got, c.want)
		}
	}

	// A good journey: created as a draft, activated (a contact enrols; no
	// instance runs its steps), paused, archived (the enrolment exits),
	// deleted.
	j := e.createJourney(u, map[string]any{"name": "Good", "trigger": trigger, "steps": []map[string]any{send("a", "")}})
	if j.Status != journeys.StatusDraft || j.ReEntry.Mode != journeys.ReEntryNever || j.Version != 1 {
		t.Fatalf("created %+v", j)
	}
	for _, status := range []string{"active", "paused", "archived"} {
		j = contracttest.Decode[journeys.Journey](e.want(e.do(u, "PATCH", "/v1/journeys/"+j.ID, map[string]any{"status": status},
			"If-Match", kitx.ETag(j.Version)), http.StatusOK))
		if status == "active" {
			e.enterSegment(u.tenant, list, contacts...)
			e.waitEnrolments(u, j.ID, 1, journeys.EnrolmentActive, "a")
		}
	}
	if es := e.enrolments(u, j.ID); len(es) != 1 || es[0].Status != journeys.EnrolmentExited || es[0].EndedAt == nil {
		t.Fatalf("after archiving: %+v, want the enrolment exited", es)
	}
	e.want(e.do(u, "PATCH", "/v1/journeys/"+j.ID, map[string]any{"steps": []map[string]any{send("a", "zz")}},
		"If-Match", kitx.ETag(j.Version)), http.StatusBadRequest)
	if got := e.want(e.do(u, "PATCH", "/v1/journeys/"+j.ID, map[string]any{"status": "active"}, "If-Match", kitx.ETag(j.Version)),
		http.StatusBadRequest).fields(); !slices.Equal(got, []string{"status"}) {
		t.Fatalf("reactivating an archived journey: fields %v, want status", got)
	}
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/journeys/"+j.ID, nil), http.StatusNotFound)
	e.want(e.do(u, "DELETE", "/v1/journeys/"+j.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/journeys/"+j.ID, nil), http.StatusNotFound)
	var verbs []string
	for _, ev := range e.journeyEvents() {
		verbs = append(verbs, ev.Type[len("dev.rapport.marketing.journey."):len(ev.Type)-len(".v1")])
	}
	if want := []string{"created", "updated", "activated", "enrolled", "updated", "paused", "updated", "exited", "deleted"}; !slices.Equal(verbs, want) {
		t.Fatalf("journey events %v, want %v", verbs, want)
	}
}

func TestJourneysPostponeAFailingStepAndGoOnWithTheOthers(t *testing.T) {
	e, _ := newJourneysEnv(t, true)
	u := newUser(uuid.NewString())
	list, ids := e.journeyContacts(u.tenant, "fail", 1)
	branch := func(name string) map[string]any {
		return map[string]any{"name": name, "status": "active", "trigger": map[string]any{"type": "segment_entered", "segmentId": list},
			"steps": []map[string]any{{"id": "b", "type": "branch",
				"condition": map[string]any{"filter": map[string]any{"field": "firstName", "op": "eq", "value": "x"}}}}}
	}
	broken, fine := e.createJourney(u, branch("broken")), e.createJourney(u, branch("fine"))
	// A filter the audience no longer knows (as after a field's removal).
	if _, err := e.admin.Exec(`UPDATE journeys SET steps = jsonb_set(steps, '{0,condition,filter,field}', '"shoeSize"') WHERE id = $1`,
		broken.ID); err != nil {
		t.Fatal(err)
	}
	e.enterSegment(u.tenant, list, ids[0])
	e.waitEnrolmentsEnded(u, fine.ID, 1)
	testkit.Eventually(t, 60*time.Second, "the broken step postponed", func() (bool, string) {
		es := e.enrolments(u, broken.ID)
		if len(es) != 1 || es[0].NextRunAt == nil {
			return false, "not enrolled"
		}
		return es[0].Status == journeys.EnrolmentActive && es[0].StepID == "b" && len(es[0].History) == 0 &&
			es[0].NextRunAt.After(time.Now().Add(30*time.Second)), es[0].NextRunAt.String()
	})
}
