package reporting_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestCampaignROIReport: per campaign not deleted, its leads created in
// the period and those converted, the won amount credited to it by each
// attribution model over the touches of the won opportunity's contacts
// (primary and roles, a merged-away contact's touches counting for its
// winner) in the 90 days before the win (the first at exactly 90 days
// counts, one a second earlier and one at the win do not), split exactly
// (linear's left-over cent to the largest remainder), in the report
// currency (default and explicit); its cost in that currency and the ROI;
// the drill-down lists what a figure counted; an unknown model is a 400.
func TestCampaignROIReport(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	k1, k2, k3 := uuid.NewString(), uuid.NewString(), uuid.NewString()
	c1, c2, c3, c4 := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	e.publishCampaign(u.tenant, "created", campaign{ID: c1, Name: "Spring", Cost: "400.00", Currency: "EUR"})
	e.publishCampaign(u.tenant, "created", campaign{ID: c2, Name: "Webinar", Cost: "100.00", Currency: "USD"})
	e.publishCampaign(u.tenant, "created", campaign{ID: c3, Name: "Newsletter", Cost: "0", Currency: "EUR"})
	e.publishCampaign(u.tenant, "deleted", campaign{ID: c4, Name: "Gone"})
	closed := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	window := 90 * 24 * time.Hour
	e.publishTouch(u.tenant, "sent", k1, c1, closed.Add(-window-time.Second)) // before the window
	e.publishTouch(u.tenant, "sent", k1, c3, closed.Add(-window))             // the first
	e.publishTouch(u.tenant, "opened", k3, c1, plDay(2, 1))                   // by k3, merged into k1
	e.publishTouch(u.tenant, "clicked", k2, c2, plDay(2, 15))                 // by a contact role
	e.publishTouch(u.tenant, "clicked", k1, c1, plDay(3, 1))                  // the last
	e.publishTouch(u.tenant, "sent", k1, c3, closed)                          // at the win
	e.publishTouch(u.tenant, "sent", uuid.NewString(), c4, plDay(3, 1))
	e.publishContactMerge(u.tenant, k3, contact{ID: k1, Created: plDay(1, 1)}, plDay(3, 2))
	w1 := opp{ID: uuid.NewString(), Name: "Big deal", Currency: "EUR", Exponent: 2, Amount: 100001, Owner: u.id,
		PrimaryContact: k1, Contacts: []string{k2}, Created: plDay(1, 2), Closed: closed, Updated: closed}
	e.publishOpp(u.tenant, "won", w1)
	won := func(verb, currency string, minor int64, at time.Time) {
		e.publishOpp(u.tenant, verb, opp{ID: uuid.NewString(), Currency: currency, Exponent: 2, Amount: minor, Owner: u.id,
			Status: "won", PrimaryContact: k1, Created: plDay(1, 2), Closed: at, Updated: at})
	}
	won("won", "USD", 5000, plDay(3, 5))
	won("won", "EUR", 7000, plDay(4, 5)) // after the period
	won("deleted", "EUR", 9000, plDay(3, 5))
	leads := map[string]string{}
	addLead := func(name, verb string, l lead) {
		l.ID, l.CampaignID, l.Owner = uuid.NewString(), c1, u.id
		leads[name] = l.ID
		e.publishLead(u.tenant, verb, l)
	}
	addLead("a", "converted", lead{Created: plDay(3, 1)})
	addLead("b", "created", lead{Created: plDay(3, 2)})
	addLead("c", "deleted", lead{Created: plDay(3, 3)})
	addLead("d", "created", lead{Created: plDay(-6, 1)})
	e.waitEvents(u.tenant, "marketing", 11)
	e.waitEvents(u.tenant, "contacts", 1)
	e.waitEvents(u.tenant, "sales", 8)
	period := []string{"from", "2026-01-01", "to", "2026-04-01"}
	cols := []string{"name", "leads", "conversions", "wonAmount", "cost", "roi"}
	check := func(what string, r reportBody, want map[string]string) {
		t.Helper()
		if len(r.Rows) != 3 {
			t.Errorf("%s: %d rows, want one per campaign not deleted: %v", what, len(r.Rows), r.Rows)
		}
		for id, line := range want {
			wantLines(t, what, lines([]map[string]any{plRow(t, r.Rows, id)}, cols...), []string{line})
		}
	}

	r := e.report(u, "campaign-roi", period...)
	if r.Currency == nil || *r.Currency != "EUR" || r.GroupBy != "campaign" {
		t.Errorf("currency %v, groupBy %q: want EUR, campaign", r.Currency, r.GroupBy)
	}
	check("linear (the default)", r, map[string]string{c1: "Spring|2|1|500.01|400.00|0.2500", c2: "Webinar|0|0|250.00||",
		c3: "Newsletter|0|0|250.00|0.00|"})
	check("first touch", e.report(u, "campaign-roi", append(period, "model", "first_touch")...), map[string]string{
		c1: "Spring|2|1|0.00|400.00|-1.0000", c2: "Webinar|0|0|0.00||", c3: "Newsletter|0|0|1000.01|0.00|"})
	check("last touch", e.report(u, "campaign-roi", append(period, "model", "last_touch")...), map[string]string{
		c1: "Spring|2|1|1000.01|400.00|1.5000", c2: "Webinar|0|0|0.00||", c3: "Newsletter|0|0|0.00|0.00|"})
	// In USD: the opportunity won on 5 March, whose window holds the
	// touch a second too early for the other.
	check("linear in USD", e.report(u, "campaign-roi", append(period, "currency", "USD")...), map[string]string{
		c1: "Spring|2|1|37.50||", c2: "Webinar|0|0|0.00|100.00|-1.0000", c3: "Newsletter|0|0|12.50||"})

	got, recs := e.records(u, "campaign-roi", append(period, "group", c1, "measure", "wonAmount")...)
	wantLines(t, "records behind Spring's won amount", got, []string{w1.ID})
	if len(recs) == 1 && (recs[0].Name != "Big deal" || recs[0].Fields["credit"] != "500.01") {
		t.Errorf("record %+v: want Big deal credited 500.01", recs[0])
	}
	got, _ = e.records(u, "campaign-roi", append(period, "group", c1, "measure", "leads")...)
	wantLines(t, "records behind Spring's leads", got, sortedIDs(leads["a"], leads["b"]))
	got, _ = e.records(u, "campaign-roi", append(period, "group", c1, "measure", "conversions")...)
	wantLines(t, "records behind Spring's conversions", got, []string{leads["a"]})
	got, _ = e.records(u, "campaign-roi", append(period, "group", c1, "measure", "cost")...)
	wantLines(t, "records behind Spring's cost", got, []string{c1})

	bad := e.want(e.do(u, http.MethodGet, "/v1/reports/campaign-roi?model=u_shaped", nil), http.StatusBadRequest)
	if f := bad.fields(); len(f) != 1 || f[0] != "model" {
		t.Errorf("an unknown model: fields %v, want model", f)
	}
}
