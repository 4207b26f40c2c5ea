package marketing_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	attrmodels "github.com/rapport-crm/rapport/libs/attribution"
	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/attribution"
)

// attrCheck fails the test unless campaign's result in report was
// credited want (amounts with currency; none for nothing) over n won
// opportunities.
func attrCheck(t *testing.T, report map[string]attribution.CampaignResult, name, campaign string, want []string, n int64) {
	t.Helper()
	got, count := attrWon(report[campaign])
	if !slices.Equal(got, want) || count != n {
		t.Errorf("%s: won %v over %d opportunities, want %v over %d", name, got, count, want, n)
	}
}

// TestAttributionCreditsWonOpportunities: three touches of two campaigns
// by an opportunity's contacts (its primary contact and a contact role)
// in the 90 days before it was won split its amount exactly under each
// model; touches out of that window, of no campaign or by no contact
// count for nothing; a late touch and a lead's conversion credit the win
// again; the opportunity lost loses its credits; leads and opportunities
// are counted per campaign; another tenant sees nothing.
func TestAttributionCreditsWonOpportunities(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	contact, colleague := uuid.NewString(), uuid.NewString()
	a, b, c, d := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	closed := time.Now().UTC().Truncate(time.Second).Add(-attrDay)
	e.attrTouches(
		attrMessage(t, u.tenant, "sent", c, contact, closed.Add(-100*attrDay)), // before the window
		attrMessage(t, u.tenant, "sent", a, contact, closed.Add(-30*attrDay)),  // the first
		attrMessage(t, u.tenant, "opened", a, contact, closed.Add(-20*attrDay)),
		attrMessage(t, u.tenant, "clicked", b, colleague, closed.Add(-10*attrDay)), // the last, by a contact role
		attrMessage(t, u.tenant, "opened", "", contact, closed.Add(-5*attrDay)),    // no campaign
		attrForm(t, u.tenant, c, "", closed.Add(-4*attrDay)),                       // no contact
		attrMessage(t, u.tenant, "clicked", c, contact, closed.Add(time.Hour)),     // after the win
	)
	opp := attrOpp{id: uuid.NewString(), status: "open", primary: contact, roles: []string{colleague, contact}, minor: 100000,
		created: closed.Add(-8 * attrDay), version: 1}
	lead, dropped := uuid.NewString(), uuid.NewString()
	e.attrSales(
		attrLead(t, u.tenant, "created", lead, a, closed.Add(-25*attrDay), 1, "", "", time.Time{}),
		attrLead(t, u.tenant, "created", dropped, b, closed.Add(-25*attrDay), 1, "", "", time.Time{}),
		attrLead(t, u.tenant, "updated", dropped, "", closed.Add(-25*attrDay), 2, "", "", time.Time{}), // its campaign taken away
		opp.event(t, u.tenant, "created"),
	)
	opp.status, opp.closed, opp.version = "won", closed, 2
	e.attrSales(opp.event(t, u.tenant, "won"))

	first, last, linear := e.attrReport(u, "model=first_touch"), e.attrReport(u, "model=last_touch"), e.attrReport(u, "model=linear")
	attrCheck(t, first, "first touch, A", a, []string{"1000.00 EUR"}, 1)
	attrCheck(t, first, "first touch, B", b, nil, 0)
	attrCheck(t, last, "last touch, A", a, nil, 0)
	attrCheck(t, last, "last touch, B", b, []string{"1000.00 EUR"}, 1)
	attrCheck(t, linear, "linear, A", a, []string{"666.67 EUR"}, 1)
	attrCheck(t, linear, "linear, B", b, []string{"333.33 EUR"}, 1)
	if _, ok := linear[c]; ok {
		t.Errorf("campaign C, touched only out of the window, is in the report: %+v", linear[c])
	}
	if ra, rb := linear[a], linear[b]; ra.Leads != 1 || rb.Leads != 0 || ra.Opportunities != 1 || rb.Opportunities != 1 ||
		ra.Cost != nil || ra.ROI != nil {
		t.Errorf("A %+v, B %+v: want 1 lead of A, none of B, an opportunity each, no cost or ROI", ra, rb)
	}
	if got := e.attrReport(u, fmt.Sprintf("model=linear&to=%s", closed.Add(-attrDay).Format(time.DateOnly))); len(got[a].Won) != 0 ||
		got[a].Leads != 1 {
		t.Errorf("up to the day before the win: A %+v, want its lead and nothing won", got[a])
	}
	if got := e.attrReport(u, fmt.Sprintf("model=linear&from=%s", closed.Format(time.DateOnly))); got[a].Leads != 0 || len(got[a].Won) != 1 {
		t.Errorf("from the day of the win: A %+v, want no lead and its part of the win", got[a])
	}

	// A lead of D converted into the contact two days before the win (into
	// the opportunity), and a click of D's the day before, both read
	// after the win: D is now the last touch, and linear splits five ways.
	e.attrSales(attrLead(t, u.tenant, "converted", uuid.NewString(), d, closed.Add(-3*attrDay), 2, contact, opp.id,
		closed.Add(-2*attrDay)))
	e.attrTouches(attrMessage(t, u.tenant, "clicked", d, contact, closed.Add(-attrDay)))
	first, last, linear = e.attrReport(u, "model=first_touch"), e.attrReport(u, "model=last_touch"), e.attrReport(u, "")
	attrCheck(t, first, "late: first touch, A", a, []string{"1000.00 EUR"}, 1)
	attrCheck(t, last, "late: last touch, B", b, nil, 0)
	attrCheck(t, last, "late: last touch, D", d, []string{"1000.00 EUR"}, 1)
	attrCheck(t, linear, "late: linear, A", a, []string{"400.00 EUR"}, 1)
	attrCheck(t, linear, "late: linear, B", b, []string{"200.00 EUR"}, 1)
	attrCheck(t, linear, "late: linear, D", d, []string{"400.00 EUR"}, 1)
	if rd := linear[d]; rd.Leads != 1 || rd.Opportunities != 1 {
		t.Errorf("D %+v: want its converted lead and the opportunity made of it", rd)
	}

	// The contact's touches, in the order they happened, two pages.
	page := contracttest.Decode[attribution.TouchPage](e.want(e.do(u, "GET", "/v1/attribution/contacts/"+contact+"/touches?limit=4", nil),
		http.StatusOK))
	if page.NextCursor == "" {
		t.Fatalf("first page of 4 has no next: %+v", page)
	}
	next := contracttest.Decode[attribution.TouchPage](e.want(e.do(u, "GET", "/v1/attribution/contacts/"+contact+
		"/touches?limit=4&cursor="+page.NextCursor, nil), http.StatusOK))
	var kinds []string
	for _, tc := range append(page.Items, next.Items...) {
		kinds = append(kinds, tc.Kind+" "+map[string]string{a: "A", b: "B", c: "C", d: "D"}[tc.CampaignID])
	}
	if want := []string{"sent C", "sent A", "opened A", "lead D", "clicked D", "clicked C"}; !slices.Equal(kinds, want) || next.NextCursor != "" {
		t.Errorf("touches %v (next %q), want %v", kinds, next.NextCursor, want)
	}
	if conv := page.Items[3]; conv.OpportunityID != opp.id || conv.Channel != "" || !conv.At.Equal(closed.Add(-2*attrDay)) {
		t.Errorf("the conversion's touch %+v", conv)
	}

	// Lost after all: no campaign is credited any more.
	opp.status, opp.closed, opp.version = "lost", time.Time{}, 3
	e.attrSales(opp.event(t, u.tenant, "lost"))
	for _, model := range attrmodels.Models {
		report := e.attrReport(u, "model="+model)
		for name, campaign := range map[string]string{"A": a, "B": b, "D": d} {
			attrCheck(t, report, "lost: "+model+", "+name, campaign, nil, 0)
		}
		if report[a].Opportunities != 1 {
			t.Errorf("lost: %s, A counts %d opportunities, want 1 (lost, still one)", model, report[a].Opportunities)
		}
	}

	// Another tenant sees no campaign and no touch.
	other := newUser(uuid.NewString())
	if got := e.attrReport(other, "model=linear"); len(got) != 0 {
		t.Errorf("another tenant's report: %+v", got)
	}
	if got := contracttest.Decode[attribution.TouchPage](e.want(e.do(other, "GET", "/v1/attribution/contacts/"+contact+"/touches", nil),
		http.StatusOK)); len(got.Items) != 0 {
		t.Errorf("another tenant sees the contact's touches: %+v", got)
	}
}
