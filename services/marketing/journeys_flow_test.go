package marketing_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/journeys"
	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

// threeSteps is a journey of a welcome mail, a wait of an hour and, for
// those who opened the welcome, a follow-up mail.
func threeSteps(list, welcome, followUp string) map[string]any {
	return map[string]any{"name": "Welcome", "status": "active",
		"trigger": map[string]any{"type": "segment_entered", "segmentId": list},
		"steps": []map[string]any{
			{"id": "welcome", "type": "send", "templateId": welcome, "channel": "email", "next": "pause"},
			{"id": "pause", "type": "wait", "duration": "PT1H", "next": "opened"},
			{"id": "opened", "type": "branch", "condition": map[string]any{"opened": "welcome"}, "yes": "follow-up"},
			{"id": "follow-up", "type": "send", "templateId": followUp, "channel": "email"},
		}}
}

func TestJourneysSendWaitAndBranchOnAnOpen(t *testing.T) {
	e, sink := newJourneysEnv(t, true)
	u := newUser(uuid.NewString())
	list, ids := e.journeyContacts(u.tenant, "ann", 2)
	ann, bob := ids[0], ids[1]
	denied, _ := e.seedAudience(u.tenant, audienceMember{first: "Cy", email: "cy@example.test", emailConsent: "denied"})
	var cyID string
	if err := e.admin.Get(&cyID, "SELECT contact_id FROM segment_members WHERE segment_id = $1", denied); err != nil {
		t.Fatal(err)
	}
	j := e.createJourney(u, threeSteps(list, e.journeyMailTemplate(u.tenant, "Welcome"), e.journeyMailTemplate(u.tenant, "Still there?")))

	e.enterSegment(u.tenant, list, ann, bob, cyID)
	waiting := e.waitEnrolments(u, j.ID, 3, journeys.EnrolmentActive, "pause")
	for _, en := range waiting {
		if en.NextRunAt == nil || en.NextRunAt.Before(time.Now().Add(50*time.Minute)) {
			t.Fatalf("enrolment %s waits until %v, want an hour from its welcome", en.ID, en.NextRunAt)
		}
		want := "welcome:queued"
		if en.ContactID == cyID {
			want = "welcome:excluded:no_consent"
		}
		if got := outcomes(en); got != want {
			t.Fatalf("contact %s history %q, want %q", en.ContactID, got, want)
		}
	}
	mails := journeyMails(t, sink, 2)
	if got := byRecipient(mails); got["ann0@example.test"] != 1 || got["ann1@example.test"] != 1 || len(got) != 2 {
		t.Fatalf("welcome mails %v", got)
	}

	// Ann opens her welcome (a person's client, through the pixel).
	var msg string
	if err := e.admin.Get(&msg, "SELECT id FROM messages WHERE contact_id = $1", ann); err != nil {
		t.Fatal(err)
	}
	open := links(t).Open(tracking.Ref{TenantID: u.tenant, MessageID: msg, ContactID: ann, Channel: "email"})
	e.want(e.hit(public(u.tenant), "GET", servicePath(t, open), browserUA, ""), http.StatusOK)

	e.fastForward(j.ID)
	done := e.waitEnrolments(u, j.ID, 3, journeys.EnrolmentCompleted, "")
	want := map[string]string{ann: "welcome:queued pause:waited opened:yes follow-up:queued",
		bob: "welcome:queued pause:waited opened:no", cyID: "welcome:excluded:no_consent pause:waited opened:no"}
	for _, en := range done {
		if got := outcomes(en); got != want[en.ContactID] {
			t.Fatalf("contact %s history %q, want %q", en.ContactID, got, want[en.ContactID])
		}
	}
	mails = journeyMails(t, sink, 3)
	if got := byRecipient(mails); got["ann0@example.test"] != 2 || got["ann1@example.test"] != 1 || len(mails) != 3 {
		t.Fatalf("mails %v", got)
	}
	if !strings.Contains(string(mails[2].Raw), "Still there?") {
		t.Fatalf("the follow-up is not the second template:\n%s", mails[2].Raw)
	}

	// The journey's sends are its steps': the sends' API has none of them.
	var sends page[map[string]any]
	if err := json.Unmarshal(e.want(e.do(u, "GET", "/v1/sends", nil), http.StatusOK).Raw, &sends); err != nil || len(sends.Items) != 0 {
		t.Fatalf("sends listed %v (%v), want none", sends.Items, err)
	}
	var send string
	if err := e.admin.Get(&send, "SELECT id FROM sends WHERE journey_id = $1 AND journey_step = 'welcome'", j.ID); err != nil {
		t.Fatal(err)
	}
	e.want(e.do(u, "GET", "/v1/sends/"+send, nil), http.StatusNotFound)
	e.want(e.do(u, "POST", "/v1/sends/"+send+"/cancel", nil), http.StatusNotFound)
	// With every message out, the journey's sends (still open to the next
	// contacts) leave the tenant off the senders' round.
	testkit.Eventually(t, 30*time.Second, "every message recorded", func() (bool, string) {
		n := e.count("SELECT count(*) FROM messages WHERE tenant_id = $1 AND status IN ('queued', 'sending')", u.tenant)
		return n == 0, fmt.Sprint(n)
	})
	if n := e.count("SELECT count(*) FROM messaging_tenants_due(1000) WHERE tenant_id = $1", u.tenant); n != 0 {
		t.Fatal("the tenant is still due for its senders with nothing to send")
	}

	evs := e.journeyEvents()
	count := map[string]int{}
	for _, ev := range evs {
		count[strings.TrimSuffix(strings.TrimPrefix(ev.Type, "dev.rapport.marketing.journey."), ".v1")]++
	}
	if count["created"] != 1 || count["activated"] != 1 || count["enrolled"] != 3 || count["step_completed"] != 10 || count["completed"] != 3 {
		t.Fatalf("journey events %v", count)
	}
	for key, n := range stepRuns(t, evs) {
		if n != 1 {
			t.Fatalf("step %s ran %d times", key, n)
		}
	}
}

func TestJourneysSurviveRestartsAndReplicasWithoutRunningAStepTwice(t *testing.T) {
	e, sink := newJourneysEnv(t, false)
	u := newUser(uuid.NewString())
	list, contacts := e.journeyContacts(u.tenant, "rep", 12)
	j := e.createJourney(u, map[string]any{"name": "Two mails", "status": "active",
		"trigger": map[string]any{"type": "segment_entered", "segmentId": list},
		"steps": []map[string]any{
			{"id": "first", "type": "send", "templateId": e.journeyMailTemplate(u.tenant, "First"), "channel": "email", "next": "tag"},
			{"id": "tag", "type": "update", "update": map[string]any{"addTags": []string{"nurtured"}}, "next": "pause"},
			{"id": "pause", "type": "wait", "duration": "P1D", "next": "second"},
			{"id": "second", "type": "send", "templateId": e.journeyMailTemplate(u.tenant, "Second"), "channel": "email"},
		}})
	e.enterSegment(u.tenant, list, contacts...)

	// Two instances at once take the enrolments to the wait.
	stopA, stopB := e.replica(), e.replica()
	e.waitEnrolments(u, j.ID, len(contacts), journeys.EnrolmentActive, "pause")
	journeyMails(t, sink, len(contacts))
	stopA()
	stopB()

	// A new instance on the same configuration finishes them.
	e.fastForward(j.ID)
	e.replica()
	e.waitEnrolments(u, j.ID, len(contacts), journeys.EnrolmentCompleted, "")
	mails := journeyMails(t, sink, 2*len(contacts))
	got := byRecipient(mails)
	if len(mails) != 2*len(contacts) || len(got) != len(contacts) {
		t.Fatalf("%d mails to %d recipients, want 2 to each of %d", len(mails), len(got), len(contacts))
	}
	for to, n := range got {
		if n != 2 {
			t.Fatalf("%s got %d mails, want 2", to, n)
		}
	}
	runs := stepRuns(t, e.journeyEvents())
	if len(runs) != 4*len(contacts) {
		t.Fatalf("%d steps run, want %d", len(runs), 4*len(contacts))
	}
	for key, n := range runs {
		if n != 1 {
			t.Fatalf("step %s ran %d times", key, n)
		}
	}
	if n := e.count("SELECT count(*) FROM messages WHERE tenant_id = $1", u.tenant); n != 2*len(contacts) {
		t.Fatalf("%d messages, want %d", n, 2*len(contacts))
	}
}
