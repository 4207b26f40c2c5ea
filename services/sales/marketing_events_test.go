package sales_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/leads"
	"github.com/rapport-crm/rapport/services/sales/marketingevents"
)

// leadsOf lists the live leads u sees whose names, company or email start
// with q.
func leadsOf(e *env, u user, q string) []leads.Lead {
	e.t.Helper()
	return contracttest.Decode[leadPage](e.want(e.do(u, "GET", "/v1/leads?q="+q, nil), http.StatusOK)).Items
}

// TestMarketingEventsMakeLeads: a form submission and a campaign response
// each make a lead of their tenant through the leads' create path (its
// checks, the assignment rules, lead.created and lead.assigned); a
// redelivery and a person already a lead (the same email in another case,
// or the same phone) make none; a field a lead cannot take is left out.
func TestMarketingEventsMakeLeads(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	rep := "rep-" + uuid.NewString()[:8]
	createRule(e, u, map[string]any{"name": "Webinars", "condition": map[string]any{"field": "source", "op": "eq", "value": "webinar"},
		"target": map[string]any{"type": "user", "userId": rep}})
	campaign := uuid.NewString()
	form := marketingEvent(t, marketingevents.TypeFormSubmitted, u.tenant, map[string]any{"formId": "demo-request", "firstName": " Ada ",
		"lastName": "Lovelace", "company": "Analytical Engines", "title": "Countess", "email": "ada@engines.example",
		"phone": "+44 20 7946 0958", "campaignId": campaign, "submittedAt": time.Now().UTC().Format(time.RFC3339), "extra": map[string]any{"x": 1}})
	response := marketingEvent(t, marketingevents.TypeCampaignResponded, u.tenant, map[string]any{"email": "grace@navy.example", "lastName": "Hopper",
		"source": "webinar", "campaignId": "not-a-uuid"})
	e.send(registry.Marketing, form, response)
	e.waitInbox(response.ID)

	ada := leadsOf(e, u, "ada@engines")
	if len(ada) != 1 {
		t.Fatalf("leads of the form: %+v", ada)
	}
	l := ada[0]
	if l.FirstName != "Ada" || l.LastName != "Lovelace" || l.Company != "Analytical Engines" || l.Title != "Countess" || l.PhoneE164 != "+442079460958" ||
		l.CampaignID != campaign || l.Source != marketingevents.SourceForm || l.Status != leads.StatusNew || l.OwnerID != "" {
		t.Errorf("the form's lead %+v", l)
	}
	grace := leadsOf(e, u, "grace@")
	if len(grace) != 1 || grace[0].Source != "webinar" || grace[0].CampaignID != "" || grace[0].OwnerID != rep {
		t.Fatalf("the response's lead %+v, want source webinar, no campaign, owner %s (the rule's)", grace, rep)
	}
	if got := eventTypes(e, grace[0].ID); !slices.Equal(got, []string{"dev.rapport.sales.lead.created.v1", "dev.rapport.sales.lead.assigned.v1"}) {
		t.Errorf("the response's lead published %v", got)
	}
	if n := len(leadsOf(e, newUser(uuid.NewString()), "ada@engines")); n != 0 {
		t.Errorf("another tenant sees %d leads of the form", n)
	}

	// The response again, after its lead was deleted (the inbox, not the
	// duplicate check, keeps it from making another), the same person by
	// email in another case and by phone: no lead more. A bad phone is
	// left out of a new lead.
	e.want(e.do(u, "DELETE", "/v1/leads/"+grace[0].ID, nil), http.StatusNoContent)
	again := marketingEvent(t, marketingevents.TypeFormSubmitted, u.tenant, map[string]any{"email": "ADA@Engines.Example", "lastName": "L."})
	byPhone := marketingEvent(t, marketingevents.TypeCampaignResponded, u.tenant, map[string]any{"phone": "+442079460958", "company": "AE"})
	badPhone := marketingEvent(t, marketingevents.TypeFormSubmitted, u.tenant, map[string]any{"email": "lin@example.com", "phone": "12345", "firstName": 7})
	e.send(registry.Marketing, response, again, byPhone, badPhone)
	e.waitInbox(badPhone.ID)
	all := contracttest.Decode[leadPage](e.want(e.do(u, "GET", "/v1/leads?limit=200", nil), http.StatusOK)).Items
	if len(all) != 2 {
		t.Fatalf("%d live leads, want 2 (Ada's, Lin's): %+v", len(all), all)
	}
	if lin := leadsOf(e, u, "lin@"); len(lin) != 1 || lin[0].Phone != "" || lin[0].FirstName != "" || lin[0].Email != "lin@example.com" {
		t.Errorf("the lead with a bad phone %+v", lin)
	}
	validateEvents(t, e)
}

// TestMarketingEventsTolerated: an event that makes no lead — no JSON
// object, no one named, a leadId, values no lead takes, a tenant whose
// leads need a custom field it lacks — and one of another type are
// skipped, never dead-lettered, and the events after them are applied.
func TestMarketingEventsTolerated(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	other := newUser(uuid.NewString())
	e.want(e.do(other, "POST", "/v1/lead-custom-fields", map[string]any{"key": "budget", "label": "Budget", "type": "decimal", "required": true}), http.StatusCreated)
	skipped := []events.Event{
		marketingEvent(t, marketingevents.TypeFormSubmitted, u.tenant, []int{1, 2}),
		marketingEvent(t, marketingevents.TypeFormSubmitted, u.tenant, "a string"),
		marketingEvent(t, marketingevents.TypeFormSubmitted, u.tenant, map[string]any{"formId": "empty"}),
		marketingEvent(t, marketingevents.TypeFormSubmitted, u.tenant, map[string]any{"leadId": uuid.NewString(), "email": "known@example.com"}),
		marketingEvent(t, marketingevents.TypeCampaignResponded, u.tenant, map[string]any{"email": "not an address", "phone": "0800"}),
		marketingEvent(t, "dev.rapport.marketing.segment.updated.v1", u.tenant, map[string]any{"email": "segment@example.com"}),
		marketingEvent(t, marketingevents.TypeFormSubmitted, other.tenant, map[string]any{"email": "needs-budget@example.com"}),
	}
	last := marketingEvent(t, marketingevents.TypeCampaignResponded, u.tenant, map[string]any{"email": "after@example.com"})
	e.send(registry.Marketing, append(skipped, last)...)
	e.waitInbox(last.ID)
	if got := leadsOf(e, u, ""); len(got) != 1 || got[0].Email != "after@example.com" {
		t.Errorf("leads %+v, want the last event's only", got)
	}
	if got := leadsOf(e, other, ""); len(got) != 0 {
		t.Errorf("the tenant needing a budget has leads %+v", got)
	}
	for _, ev := range skipped {
		var n int
		if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE id = $1", ev.ID); err != nil || n != 1 {
			t.Errorf("event %s in the inbox %d times (%v), want once: skipped", ev.Data, n, err)
		}
	}
	if dead := testkit.ReadTopic(t, e.brokers, events.DLQ(registry.MustTopic("", registry.Marketing)), 1, 2*time.Second); len(dead) != 0 {
		t.Errorf("%d events dead-lettered", len(dead))
	}
	validateEvents(t, e)
}
