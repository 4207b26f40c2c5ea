package marketing_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/marketing/journeys"
)

// filterBranch is the steps of a journey that tags the contacts named
// vip0 and lets the others exit.
var filterBranch = []map[string]any{
	{"id": "vip?", "type": "branch", "condition": map[string]any{"filter": map[string]any{"field": "firstName", "op": "eq", "value": "vip0"}},
		"yes": "tag", "no": "out"},
	{"id": "tag", "type": "update", "update": map[string]any{"field": "lifecycleStage", "value": "marketingQualified"}},
	{"id": "out", "type": "exit"},
}

func TestJourneysEnrolOnFormsAndEventsAndBranchOnTheContact(t *testing.T) {
	e, _ := newJourneysEnv(t, true)
	u := newUser(uuid.NewString())
	_, ids := e.journeyContacts(u.tenant, "vip", 2)
	campaign := e.formsCampaign(u)
	form := e.createForm(u, leadForm(campaign))
	onForm := e.createJourney(u, map[string]any{"name": "Signed up", "status": "active",
		"trigger": map[string]any{"type": "form_submitted", "formId": form.ID}, "steps": filterBranch})
	onClick := e.createJourney(u, map[string]any{"name": "Clicked", "status": "active",
		"trigger": map[string]any{"type": "event", "event": "message.clicked", "campaignId": campaign}, "steps": filterBranch})
	paused := e.createJourney(u, map[string]any{"name": "Paused", "status": "paused",
		"trigger": map[string]any{"type": "form_submitted", "formId": form.ID}, "steps": filterBranch})

	at := time.Now().UTC()
	var evs []events.Event
	for _, c := range ids {
		evs = append(evs, marketingEvent(t, "form", "submitted", uuid.NewString(), u.tenant, map[string]any{"id": uuid.NewString(),
			"formId": form.ID, "contactId": c, "submittedAt": at}))
	}
	// A click of the campaign's mail enrols; one of another campaign's does not.
	evs = append(evs, marketingEvent(t, "message", "clicked", uuid.NewString(), u.tenant, map[string]any{"contactId": ids[0],
		"campaignId": campaign, "at": at}), marketingEvent(t, "message", "clicked", uuid.NewString(), u.tenant,
		map[string]any{"contactId": ids[1], "campaignId": uuid.NewString(), "at": at}))
	e.sendEvents(registry.Marketing, journeys.ConsumerGroup, evs...)

	want := map[string]string{ids[0]: journeys.EnrolmentCompleted + " vip?:yes tag:updated",
		ids[1]: journeys.EnrolmentExited + " vip?:no out:exit"}
	done := func(j string, n int) []journeys.Enrolment {
		es := e.waitEnrolmentsEnded(u, j, n)
		for _, en := range es {
			if got := en.Status + " " + outcomes(en); got != want[en.ContactID] {
				t.Fatalf("journey %s, contact %s: %q, want %q", j, en.ContactID, got, want[en.ContactID])
			}
		}
		return es
	}
	done(onForm.ID, 2)
	if es := done(onClick.ID, 1); es[0].ContactID != ids[0] {
		t.Fatalf("the click journey enrolled %s, want %s", es[0].ContactID, ids[0])
	}
	if es := e.enrolments(u, paused.ID); len(es) != 0 {
		t.Fatalf("a paused journey enrolled %d", len(es))
	}
	// Activated, it enrols on the next submission.
	e.want(e.do(u, "PATCH", "/v1/journeys/"+paused.ID, map[string]any{"status": "active"}, "If-Match", kitx.ETag(paused.Version)),
		http.StatusOK)
	e.sendEvents(registry.Marketing, journeys.ConsumerGroup, marketingEvent(t, "form", "submitted", uuid.NewString(), u.tenant,
		map[string]any{"id": uuid.NewString(), "formId": form.ID, "contactId": ids[1], "submittedAt": at}))
	done(paused.ID, 1)

	var updated []journeyEvent
	for _, ev := range e.journeyEvents() {
		if ev.Type == "dev.rapport.marketing.journey.contact_updated.v1" {
			updated = append(updated, eventData[journeyEvent](t, ev))
		}
	}
	if len(updated) != 2 || updated[0].ContactID != ids[0] || updated[1].ContactID != ids[0] {
		t.Fatalf("contact_updated %+v, want two, both of %s", updated, ids[0])
	}
}
