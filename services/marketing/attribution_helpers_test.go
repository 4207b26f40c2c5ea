package marketing_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/attribution"
)

// attrDay is a day.
const attrDay = 24 * time.Hour

// attrSalesSchemas is where sales' event schemas are: the events of sales
// the tests publish are checked against them.
const attrSalesSchemas = "../sales/api/events"

// attrEvent is an event of tenant as the service source ("marketing",
// "sales") publishes it, of type dev.rapport.<source>.<entityVerb>.v1 on
// subject.
func attrEvent(t *testing.T, source, entityVerb, subject, tenant string, data any) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/"+source, "dev.rapport."+source+"."+entityVerb+".v1", subject, tenant, data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// attrMessage is message.<verb> (sent, opened, clicked) of a message of
// campaign ("" for none) to contact by email at at.
func attrMessage(t *testing.T, tenant, verb, campaign, contact string, at time.Time) events.Event {
	t.Helper()
	data := map[string]any{"id": uuid.NewString(), "sendId": uuid.NewString(), "contactId": contact, "channel": "email",
		"address": "someone@example.com"}
	if campaign != "" {
		data["campaignId"] = campaign
	}
	switch verb {
	case "sent":
		data["sentAt"], data["variant"] = at.Format(time.RFC3339), ""
	case "clicked":
		data["at"], data["url"] = at.Format(time.RFC3339), "https://example.com/offer"
	default:
		data["at"] = at.Format(time.RFC3339)
	}
	return attrEvent(t, "marketing", "message."+verb, data["id"].(string), tenant, data)
}

// attrForm is form.submitted of a form of campaign by contact ("" for a
// submission matched to no contact) at at.
func attrForm(t *testing.T, tenant, campaign, contact string, at time.Time) events.Event {
	t.Helper()
	data := map[string]any{"id": uuid.NewString(), "formId": uuid.NewString(), "campaignId": campaign, "firstName": "Ada",
		"lastName": "Lovelace", "company": "", "title": "", "email": "ada@example.com", "phone": "", "consent": true,
		"fields": map[string]any{}, "submittedAt": at.Format(time.RFC3339), "source": "web form"}
	if contact != "" {
		data["contactId"] = contact
	}
	return attrEvent(t, "marketing", "form.submitted", data["id"].(string), tenant, data)
}

// attrOpp is an opportunity of sales as its events carry it.
type attrOpp struct {
	id, status string
	primary    string
	roles      []string
	minor      int64 // EUR cents; 0 for no amount
	created    time.Time
	closed     time.Time // zero while open
	version    int
}

// state is o's full state, of the shape of sales' opportunity events.
func (o attrOpp) state() map[string]any {
	roles := []any{}
	for _, c := range o.roles {
		roles = append(roles, map[string]any{"contactId": c, "role": "influencer"})
	}
	s := map[string]any{"id": o.id, "name": "Deal " + o.id[:8], "primaryContactId": o.primary, "contactRoles": roles,
		"pipelineId": "00000000-0000-4000-8000-000000000001", "stageId": "00000000-0000-4000-8000-000000000002", "status": o.status,
		"probability": 50, "forecastCategory": "pipeline", "ownerId": "rep", "competitors": []any{}, "lineItems": []any{},
		"tags": []any{}, "customFields": map[string]any{}, "createdAt": o.created.Format(time.RFC3339),
		"updatedAt": o.created.Format(time.RFC3339), "version": o.version}
	if o.minor > 0 {
		s["amount"] = map[string]any{"minor": o.minor, "currency": "EUR", "exponent": 2}
	}
	if !o.closed.IsZero() {
		s["closedAt"], s["updatedAt"] = o.closed.Format(time.RFC3339), o.closed.Format(time.RFC3339)
	}
	return s
}

// event is opportunity.<verb> of o.
func (o attrOpp) event(t *testing.T, tenant, verb string) events.Event {
	t.Helper()
	return attrEvent(t, "sales", "opportunity."+verb, o.id, tenant, o.state())
}

// attrLead is lead.<verb> of the lead id of campaign ("" for none)
// created at created; converted (verb "converted") into contact with the
// opportunity opp at converted.
func attrLead(t *testing.T, tenant, verb, id, campaign string, created time.Time, version int, contact, opp string,
	converted time.Time) events.Event {
	t.Helper()
	data := map[string]any{"id": id, "status": "new", "score": 0, "scoreReasons": []any{}, "ownerId": "", "tags": []any{},
		"customFields": map[string]any{}, "createdAt": created.Format(time.RFC3339), "updatedAt": created.Format(time.RFC3339),
		"version": version, "lastName": "Lovelace"}
	if campaign != "" {
		data["campaignId"] = campaign
	}
	if verb == "updated" {
		data["changed"] = []string{"campaignId"}
	}
	if verb == "converted" {
		data["status"], data["convertedContactId"], data["convertedOpportunityId"] = "converted", contact, opp
		data["convertedAt"] = converted.Format(time.RFC3339)
	}
	return attrEvent(t, "sales", "lead."+verb, id, tenant, data)
}

// attrPublish publishes evs to the topic of the service from (registry),
// which the service consumes, and waits until group has consumed the
// last (the topic has one partition: and every one before it).
func (e *env) attrPublish(from, group string, evs ...events.Event) {
	e.t.Helper()
	pub := events.NewPublisher(e.brokers)
	defer pub.Close()
	for _, ev := range evs {
		if err := pub.Publish(e.t.Context(), ev.Message(registry.MustTopic("", from))); err != nil {
			e.t.Fatal(err)
		}
	}
	last := evs[len(evs)-1].ID
	testkit.Eventually(e.t, 45*time.Second, "event "+last+" consumed by "+group, func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE id = $1 AND consumer_group = $2", last, group); err != nil {
			e.t.Fatal(err)
		}
		return n == 1, ""
	})
}

// attrTouches publishes evs, events of the service's own that match their
// schemas in api/events, and waits for attribution to have read them.
func (e *env) attrTouches(evs ...events.Event) {
	e.t.Helper()
	contracttest.ValidateEvents(e.t, "api/events", evs)
	e.attrPublish(registry.Marketing, attribution.TouchesGroup, evs...)
}

// attrSales publishes evs, events of sales that match their schemas in
// sales' api/events, and waits for attribution to have read them.
func (e *env) attrSales(evs ...events.Event) {
	e.t.Helper()
	contracttest.ValidateEvents(e.t, attrSalesSchemas, evs)
	e.attrPublish(registry.Sales, attribution.SalesGroup, evs...)
}

// attrReport is u's report of the campaigns under query (a query string).
func (e *env) attrReport(u user, query string) map[string]attribution.CampaignResult {
	e.t.Helper()
	r := contracttest.Decode[attribution.Report](e.want(e.do(u, "GET", "/v1/attribution/campaigns?"+query, nil), http.StatusOK))
	out := map[string]attribution.CampaignResult{}
	for _, c := range r.Items {
		out[c.CampaignID] = c
	}
	return out
}

// attrWon is what a result was credited, as "<amount> <currency>" per
// currency, and the number of won opportunities.
func attrWon(r attribution.CampaignResult) (won []string, n int64) {
	for _, m := range r.Won {
		won = append(won, m.Amount+" "+m.Currency)
	}
	return won, r.WonOpportunities
}
