package reporting_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
)

// TestLeadSourcesReport: leads by the month of their creation and their
// source (the default) or campaign: how many, how many converted, how
// many whose opportunity was won and its amount in the report currency
// (default the tenant's most common, or the one asked for), the
// conversion rate; a deleted lead counts nowhere; an owner with scope own
// sees only theirs; the drill-down lists a cell's leads.
func TestLeadSourcesReport(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	ownB := admin.scoped(auth.ScopeOwn)
	ownerA := uuid.NewString()
	c1, c2 := uuid.NewString(), uuid.NewString()
	n := 0
	oppOf := func(status, currency string, minor int64) string {
		o := opp{ID: uuid.NewString(), Currency: currency, Exponent: 2, Amount: minor, Owner: ownerA, Created: plDay(1, 25)}
		verb := "created"
		if status == "won" {
			verb, o.Closed = "won", plDay(2, 20)
		}
		e.publishOpp(admin.tenant, verb, o)
		n++
		return o.ID
	}
	x, y, z := oppOf("won", "EUR", 100000), oppOf("open", "EUR", 5000), oppOf("won", "USD", 5000)
	leads := map[string]string{}
	publish := func(name, verb string, l lead) {
		l.ID = uuid.NewString()
		leads[name] = l.ID
		if l.Owner == "" {
			l.Owner = ownerA
		}
		e.publishLead(admin.tenant, verb, l)
		n++
	}
	publish("l1", "converted", lead{Source: "web", CampaignID: c1, Created: plDay(1, 10), OpportunityID: x})
	publish("l2", "created", lead{Source: "web", CampaignID: c1, Created: plDay(1, 12)})
	publish("l3", "converted", lead{Source: "web", Created: plDay(1, 20), OpportunityID: y})
	publish("l4", "converted", lead{Source: "event", CampaignID: c2, Created: plDay(1, 5), OpportunityID: z})
	publish("l5", "created", lead{Source: "event", Status: "qualified", Created: plDay(2, 2)})
	publish("l6", "deleted", lead{Source: "web", Created: plDay(2, 3)})
	publish("l7", "created", lead{Owner: ownB.id, Created: plDay(2, 4)})
	e.waitEvents(admin.tenant, "sales", int64(n))
	cols := []string{"period", "group", "leads", "converted", "won", "wonAmount", "conversionRate"}
	period := []string{"from", "2026-01-01", "to", "2026-03-01"}

	r := e.report(admin, "lead-sources", period...)
	if r.GroupBy != "source" || r.Currency == nil || *r.Currency != "EUR" {
		t.Errorf("groupBy %q, currency %v: want source, EUR", r.GroupBy, r.Currency)
	}
	wantLines(t, "lead sources", lines(r.Rows, cols...), []string{
		"2026-01-01|event|1|1|1|0.00|1.0000",
		"2026-01-01|web|3|2|1|1000.00|0.6667",
		"2026-02-01||1|0|0|0.00|0.0000",
		"2026-02-01|event|1|0|0|0.00|0.0000",
	})
	r = e.report(admin, "lead-sources", append(period, "currency", "USD")...)
	wantLines(t, "lead sources in USD", lines(r.Rows, "period", "group", "wonAmount"), []string{
		"2026-01-01|event|50.00", "2026-01-01|web|0.00", "2026-02-01||0.00", "2026-02-01|event|0.00",
	})
	r = e.report(admin, "lead-sources", append(period, "groupBy", "campaign", "interval", "quarter")...)
	want := []string{"2026-01-01||3|1|0|0.00|0.3333", "2026-01-01|" + c1 + "|2|1|1|1000.00|0.5000", "2026-01-01|" + c2 + "|1|1|1|0.00|1.0000"}
	if c2 < c1 {
		want[1], want[2] = want[2], want[1]
	}
	wantLines(t, "lead sources by campaign and quarter", lines(r.Rows, cols...), want)
	r = e.report(ownB, "lead-sources", period...)
	wantLines(t, "lead sources of owner B (scope own)", lines(r.Rows, cols...), []string{"2026-02-01||1|0|0|0.00|0.0000"})

	got, recs := e.records(admin, "lead-sources", append(period, "period", "2026-01-01", "group", "web", "measure", "converted")...)
	wantLines(t, "records behind January's converted web leads", got, sortedIDs(leads["l1"], leads["l3"]))
	for _, rec := range recs {
		if rec.Kind != "lead" || rec.Fields["source"] != "web" {
			t.Errorf("record %+v: want a lead of source web", rec)
		}
	}
	got, _ = e.records(admin, "lead-sources", append(period, "period", "2026-01-01", "group", "web", "measure", "wonAmount")...)
	wantLines(t, "records behind January's won amount of web", got, []string{leads["l1"]})
	got, _ = e.records(ownB, "lead-sources", append(period, "period", "2026-01-01", "group", "web", "measure", "leads")...)
	wantLines(t, "records behind January's web leads, scope own", got, []string{})
}
