package sales_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/sales/leads"
)

// activityEvent is an activity event of tenant as contacts publishes it
// (typ one of contactevents.TypeActivity…): an activity of kind related
// to the leads leadIDs.
func activityEvent(t *testing.T, typ, tenant, id, kind string, leadIDs ...string) events.Event {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	related := []map[string]any{}
	for _, l := range leadIDs {
		related = append(related, map[string]any{"service": "sales", "type": "lead", "id": l})
	}
	payload := map[string]any{"id": id, "type": kind, "subject": "Call", "related": related, "assigneeId": "user-1",
		"occurredAt": now, "createdBy": "user-1", "createdAt": now, "updatedAt": now, "version": 1}
	if typ == contactevents.TypeActivityUpdated {
		payload["changed"] = []string{"related"}
	}
	return contactsEvent(t, typ, id, tenant, payload)
}

// Behaviour rules count contacts' activities related to a lead (by type,
// capped), and marketing's form submissions and email opens naming it by
// id or email; an activity changed or delivered again counts once, one
// deleted or no longer related stops counting, and another tenant's
// events touch nothing of this one's.
func TestLeadScoringBehaviours(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	calls := createScoringRule(e, u, map[string]any{"name": "Calls", "kind": "behaviour", "event": "activity", "activityType": "call",
		"points": 10, "maxPoints": 25})
	opens := createScoringRule(e, u, map[string]any{"name": "Opens", "kind": "behaviour", "event": "emailOpened", "points": 3})
	forms := createScoringRule(e, u, map[string]any{"name": "Forms", "kind": "behaviour", "event": "formSubmitted", "points": 20})
	createScoringRule(e, u, map[string]any{"name": "Work at 20", "kind": "threshold", "minScore": 20, "fromStatuses": []string{"new"},
		"toStatus": "working"})
	l := createLead(e, u, map[string]any{"lastName": "Ng", "email": "Ng@Example.com"})
	second := createLead(e, u, map[string]any{"lastName": "Second"})
	theirs := createLead(e, other, map[string]any{"lastName": "Theirs", "email": "ng@example.com"})

	a1, a2, a3, note := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	evs := []events.Event{
		activityEvent(t, contactevents.TypeActivityCreated, u.tenant, a1, "call", l.ID),
		activityEvent(t, contactevents.TypeActivityCreated, u.tenant, note, "note", l.ID),
		activityEvent(t, contactevents.TypeActivityCreated, u.tenant, a2, "call", l.ID, second.ID),
		activityEvent(t, contactevents.TypeActivityUpdated, u.tenant, a2, "call", l.ID, second.ID),
		activityEvent(t, contactevents.TypeActivityCreated, u.tenant, a3, "call", l.ID),
		activityEvent(t, contactevents.TypeActivityCreated, other.tenant, uuid.NewString(), "call", l.ID),
	}
	contracttest.ValidateEvents(t, "../contacts/api/events", evs)
	e.send(registry.Contacts, evs...)
	e.waitInbox(evs[len(evs)-1].ID)
	got := readLead(e, u, l.ID)
	if got.Score != 25 || got.Status != "working" || len(got.ScoreReasons) != 1 || got.ScoreReasons[0].RuleID != calls.ID ||
		got.ScoreReasons[0].Reason != "Calls: 3 × activity call, capped at 25" {
		t.Fatalf("after three calls: score %d, status %s, reasons %+v", got.Score, got.Status, got.ScoreReasons)
	}
	if got := readLead(e, u, second.ID); got.Score != 10 || got.Status != "new" {
		t.Errorf("second: score %d, status %s", got.Score, got.Status)
	}

	// a2 no longer names the second lead; a3 is deleted.
	evs = []events.Event{
		activityEvent(t, contactevents.TypeActivityUpdated, u.tenant, a2, "call", l.ID),
		activityEvent(t, contactevents.TypeActivityDeleted, u.tenant, a3, "call", l.ID),
	}
	contracttest.ValidateEvents(t, "../contacts/api/events", evs)
	e.send(registry.Contacts, evs...)
	e.waitInbox(evs[1].ID)
	if got := readLead(e, u, l.ID); got.Score != 20 || got.Status != "working" {
		t.Errorf("after the deletion: score %d, status %s", got.Score, got.Status)
	}
	if got := readLead(e, u, second.ID); got.Score != 0 {
		t.Errorf("second after a2 left it: score %d", got.Score)
	}

	// Marketing: a form by email (regardless of case), an email's open by
	// the address it went to, an SMS's open (not counted), an open of a
	// lead of nobody's, one that does not parse, another type.
	campaign := uuid.NewString()
	mevs := []events.Event{
		marketingEvent(t, leads.TypeFormSubmitted, u.tenant, map[string]any{"formId": "demo-request", "email": "NG@example.com",
			"submittedAt": time.Now().UTC().Format(time.RFC3339)}),
		marketingEvent(t, leads.TypeEmailOpened, u.tenant, map[string]any{"campaignId": campaign, "channel": "email", "address": "ng@example.com",
			"at": time.Now().UTC().Format(time.RFC3339)}),
		marketingEvent(t, leads.TypeEmailOpened, u.tenant, map[string]any{"campaignId": campaign, "channel": "sms", "leadId": l.ID}),
		marketingEvent(t, leads.TypeEmailOpened, u.tenant, map[string]any{"leadId": uuid.NewString()}),
		marketingEvent(t, leads.TypeEmailOpened, u.tenant, map[string]any{"leadId": 42}),
		marketingEvent(t, "dev.rapport.marketing.segment.updated.v1", u.tenant, map[string]any{"id": "s"}),
	}
	e.send(registry.Marketing, mevs...)
	for _, ev := range mevs {
		e.waitInbox(ev.ID)
	}
	got = readLead(e, u, l.ID)
	if got.Score != 43 || !slices.Equal(reasons(got.ScoreReasons), []string{calls.ID + ":20", opens.ID + ":3", forms.ID + ":20"}) {
		t.Errorf("after marketing: score %d, reasons %v", got.Score, reasons(got.ScoreReasons))
	}
	if got := readLead(e, other, theirs.ID); got.Score != 0 || got.Version != 1 {
		t.Errorf("another tenant's lead: score %d, version %d", got.Score, got.Version)
	}
	s := leadScore(e, u, l.ID)
	var counts []string
	for _, b := range s.Behaviours {
		counts = append(counts, fmt.Sprintf("%s/%s:%d", b.Event, b.Detail, b.Count))
	}
	if want := []string{"activity/call:2", "activity/note:1", "emailOpened/" + campaign + ":1", "formSubmitted/demo-request:1"}; !slices.Equal(counts, want) {
		t.Errorf("behaviours %v, want %v", counts, want)
	}
	if len(s.Moves) != 1 || s.Moves[0].To != "working" || s.Moves[0].Score != 20 {
		t.Errorf("moves %+v", s.Moves)
	}
	e.want(e.do(other, "GET", "/v1/leads/"+l.ID+"/score", nil), http.StatusNotFound)
	validateEvents(t, e)
}
