package marketing_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	attrmodels "github.com/rapport-crm/rapport/libs/attribution"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/marketing/attribution"
)

// attrCampaign creates a campaign of u's named name with its actual cost
// (amount and currency; none when amount is "") and returns its id.
func attrCampaign(e *env, u user, name, amount, currency string) string {
	e.t.Helper()
	body := map[string]any{"name": name, "type": "webinar"}
	if amount != "" {
		body["actualCost"] = map[string]any{"amount": amount, "currency": currency}
	}
	return contracttest.Decode[struct {
		ID string `json:"id"`
	}](e.want(e.do(u, "POST", "/v1/campaigns", body), http.StatusCreated)).ID
}

// TestAttributionROI: every campaign of the tenant is in the report, by
// name, with its actual cost and its ROI under each model, (won - cost) /
// cost in the cost's currency (an amount won in another currency is
// listed but not counted); no ROI without a cost, or with a cost of 0.
func TestAttributionROI(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	webinar := attrCampaign(e, u, "Autumn webinar", "400.00", "EUR")
	ads := attrCampaign(e, u, "Banner ads", "", "")
	attrCampaign(e, u, "Community post", "0.00", "EUR")
	contact, buyer := uuid.NewString(), uuid.NewString()
	closed := time.Now().UTC().Truncate(time.Second).Add(-attrDay)
	e.attrTouches(
		attrMessage(t, u.tenant, "sent", webinar, contact, closed.Add(-10*attrDay)),
		attrForm(t, u.tenant, ads, contact, closed.Add(-5*attrDay)),
		attrMessage(t, u.tenant, "clicked", webinar, buyer, closed.Add(-3*attrDay)),
	)
	euros := attrOpp{id: uuid.NewString(), status: "won", primary: contact, minor: 100000, created: closed.Add(-20 * attrDay),
		closed: closed, version: 4}
	dollars := attrOpp{id: uuid.NewString(), status: "won", primary: buyer, minor: 50000, created: closed.Add(-20 * attrDay),
		closed: closed, version: 2}
	usd := dollars.state()
	usd["amount"] = map[string]any{"minor": 50000, "currency": "USD", "exponent": 2}
	e.attrSales(euros.event(t, u.tenant, "won"), attrEvent(t, "sales", "opportunity.won", dollars.id, u.tenant, usd))

	for _, tc := range []struct {
		model      string
		webinarWon []string
		webinarROI string
		adsWon     []string
	}{
		{attrmodels.ModelFirstTouch, []string{"1000.00 EUR", "500.00 USD"}, "1.5000", nil},
		{attrmodels.ModelLastTouch, []string{"500.00 USD"}, "-1.0000", []string{"1000.00 EUR"}},
		{attrmodels.ModelLinear, []string{"500.00 EUR", "500.00 USD"}, "0.2500", []string{"500.00 EUR"}},
	} {
		r := contracttest.Decode[attribution.Report](e.want(e.do(u, "GET", "/v1/attribution/campaigns?model="+tc.model, nil), http.StatusOK))
		var names []string
		for _, c := range r.Items {
			names = append(names, c.Name)
		}
		if r.Model != tc.model || !slices.Equal(names, []string{"Autumn webinar", "Banner ads", "Community post"}) {
			t.Fatalf("%s: report of %s on %v, want the three campaigns by name", tc.model, r.Model, names)
		}
		w, a, f := r.Items[0], r.Items[1], r.Items[2]
		if got, _ := attrWon(w); !slices.Equal(got, tc.webinarWon) || w.ROI == nil || *w.ROI != tc.webinarROI ||
			w.Cost == nil || *w.Cost != (attribution.Money{Amount: "400.00", Currency: "EUR"}) {
			t.Errorf("%s: the webinar won %v, cost %+v, ROI %v; want %v, 400.00 EUR, %s", tc.model, got, w.Cost, roiText(w.ROI),
				tc.webinarWon, tc.webinarROI)
		}
		if got, _ := attrWon(a); !slices.Equal(got, tc.adsWon) || a.Cost != nil || a.ROI != nil {
			t.Errorf("%s: the ads won %v, cost %+v, ROI %v; want %v, no cost, no ROI", tc.model, got, a.Cost, roiText(a.ROI), tc.adsWon)
		}
		if f.Cost == nil || f.Cost.Amount != "0.00" || f.ROI != nil || len(f.Won) != 0 || f.Leads != 0 || f.Opportunities != 0 {
			t.Errorf("%s: the post (a cost of 0, nothing brought) %+v, ROI %v", tc.model, f, roiText(f.ROI))
		}
	}
}

// roiText is roi for a message.
func roiText(roi *string) string {
	if roi == nil {
		return "null"
	}
	return *roi
}

// TestAttributionBadInput: a report's unknown model, a from or to that is
// no date, or a to before from is a 400 naming each; so is a bad limit or
// cursor of a contact's touches; an id that is no UUID is a 404; reading
// needs marketing:read. Sales' events that do not parse or name no
// opportunity are skipped (consumed, not retried), and those after them
// applied.
func TestAttributionBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for query, want := range map[string][]string{
		"model=last_click":                  {"model"},
		"model=LINEAR&from=2026-02-30":      {"model", "from"},
		"from=2026-03-02&to=2026-03-01":     {"to"},
		"to=yesterday":                      {"to"},
		"from=2026-03-01T00:00:00Z&to=2027": {"from", "to"},
	} {
		if got := e.want(e.do(u, "GET", "/v1/attribution/campaigns?"+query, nil), http.StatusBadRequest).fields(); !slices.Equal(got, want) {
			t.Errorf("%s: fields %v, want %v", query, got, want)
		}
	}
	touches := "/v1/attribution/contacts/" + uuid.NewString() + "/touches"
	for query, want := range map[string]string{"?limit=0": "limit", "?limit=201": "limit", "?cursor=forged": "cursor"} {
		if got := e.want(e.do(u, "GET", touches+query, nil), http.StatusBadRequest).fields(); !slices.Equal(got, []string{want}) {
			t.Errorf("touches%s: fields %v, want [%s]", query, got, want)
		}
	}
	e.want(e.do(u, "GET", "/v1/attribution/contacts/not-a-uuid/touches", nil), http.StatusNotFound)
	e.want(e.do(u.as("marketing:write"), "GET", "/v1/attribution/campaigns", nil), http.StatusForbidden)

	contact, campaign := uuid.NewString(), uuid.NewString()
	closed := time.Now().UTC().Truncate(time.Second).Add(-attrDay)
	e.attrTouches(attrMessage(t, u.tenant, "clicked", campaign, contact, closed.Add(-attrDay)))
	garbage := attrEvent(t, "sales", "opportunity.won", uuid.NewString(), u.tenant, "not an opportunity")
	noID := attrOpp{id: uuid.NewString(), status: "won", primary: contact, minor: 700, created: closed, closed: closed, version: 1}
	nameless := noID.state()
	nameless["id"] = "deal-7"
	unnamed, err := json.Marshal(nameless)
	if err != nil {
		t.Fatal(err)
	}
	bad := []events.Event{garbage, attrEvent(t, "sales", "opportunity.won", noID.id, u.tenant, json.RawMessage(unnamed))}
	good := attrOpp{id: uuid.NewString(), status: "won", primary: contact, minor: 1234, created: closed.Add(-2 * attrDay), closed: closed,
		version: 2}
	// An opportunity naming no contact yet is kept, with none to credit.
	lone := attrOpp{id: uuid.NewString(), status: "open", created: closed, version: 1}
	loneState := lone.state()
	delete(loneState, "primaryContactId")
	loneEvent := attrEvent(t, "sales", "opportunity.created", lone.id, u.tenant, loneState)
	e.attrPublish(registry.Sales, attribution.SalesGroup, append(bad, loneEvent, good.event(t, u.tenant, "won"))...)
	var kept int
	if err := e.admin.Get(&kept, "SELECT count(*) FROM attribution_opportunities WHERE id = $1 AND contact_ids = '{}'", lone.id); err != nil || kept != 1 {
		t.Errorf("the opportunity without contacts: %d kept (%v)", kept, err)
	}
	for _, ev := range bad {
		var n int
		if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE id = $1 AND consumer_group = $2", ev.ID, attribution.SalesGroup); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("the unreadable %s was not consumed", ev.Data)
		}
	}
	if got, n := attrWon(e.attrReport(u, "model=last_touch")[campaign]); !slices.Equal(got, []string{"12.34 EUR"}) || n != 1 {
		t.Errorf("the won opportunity after the unreadable ones: %v over %d", got, n)
	}
}
