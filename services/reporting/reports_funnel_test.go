package reporting_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
)

// funnelHistory publishes a funnel's leads in tenant: January's five
// counted ones (owned by own: one new, one working, one qualified, one
// converted into a won opportunity, one into an open one) and a deleted
// one; February's three (owned by other: working, converted into a won
// opportunity, converted without an opportunity). It returns the leads
// converted into January's opportunities, in order, the number of sales
// events and the time of the newest.
func (e *env) funnelHistory(tenant, own, other string) (janOpportunities []string, n int64, newest time.Time) {
	e.t.Helper()
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }
	o1, o2, o3 := uuid.NewString(), uuid.NewString(), uuid.NewString()
	l4, l5 := uuid.NewString(), uuid.NewString()
	leads := []struct {
		verb string
		l    lead
	}{
		{"created", lead{ID: uuid.NewString(), Owner: own, Source: "web", Created: at(1, 5)}},
		{"created", lead{ID: uuid.NewString(), Owner: own, Source: "web", Status: "working", Created: at(1, 10)}},
		{"created", lead{ID: uuid.NewString(), Owner: own, Source: "event", Status: "qualified", Created: at(1, 12)}},
		{"converted", lead{ID: l4, Owner: own, Source: "web", Created: at(1, 15), Converted: at(1, 16), OpportunityID: o1}},
		{"converted", lead{ID: l5, Owner: own, Source: "event", Created: at(1, 20), Converted: at(1, 21), OpportunityID: o2}},
		{"created", lead{ID: uuid.NewString(), Owner: other, Status: "working", Created: at(2, 3)}},
		{"converted", lead{ID: uuid.NewString(), Owner: other, Created: at(2, 10), Converted: at(2, 11), OpportunityID: o3}},
		{"converted", lead{ID: uuid.NewString(), Owner: other, Created: at(2, 12), Converted: at(2, 13)}},
	}
	for _, l := range leads {
		e.publishLead(tenant, l.verb, l.l)
	}
	deleted := lead{ID: uuid.NewString(), Owner: own, Status: "working", Created: at(1, 22)}
	e.publishLead(tenant, "created", deleted)
	deleted.Version = 2
	e.publishLead(tenant, "deleted", deleted)
	newest = at(2, 20)
	e.publishOpp(tenant, "won", opp{ID: o1, Owner: own, Currency: "USD", Amount: 1000, Exponent: 2, Created: at(1, 16), Closed: at(1, 30), Version: 2})
	e.publishOpp(tenant, "created", opp{ID: o2, Owner: own, Currency: "USD", Amount: 2000, Exponent: 2, Created: at(1, 21)})
	e.publishOpp(tenant, "won", opp{ID: o3, Owner: other, Currency: "USD", Amount: 3000, Exponent: 2, Created: at(2, 11), Closed: newest, Updated: newest, Version: 2})
	return []string{l4, l5}, int64(len(leads) + 2 + 3), newest
}

func TestFunnelFiguresScopeDrillDownAndAsOf(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	own := admin.scoped(auth.ScopeOwn)
	opportunities, n, newest := e.funnelHistory(admin.tenant, own.id, "someone-else")
	e.waitEvents(admin.tenant, "sales", n)
	period := []string{"from", "2026-01-01", "to", "2026-03-01"}
	cols := []string{"period", "group", "leads", "mql", "sql", "opportunities", "won", "mqlRate", "sqlRate", "opportunityRate", "winRate"}

	r := e.report(admin, "funnel", period...)
	wantLines(t, "funnel", lines(r.Rows, cols...), []string{
		"2026-01-01||5|4|3|2|1|0.8000|0.7500|0.6667|0.5000",
		"2026-02-01||3|3|2|1|1|1.0000|0.6667|0.5000|1.0000",
	})
	if r.AsOf == nil || !r.AsOf.Equal(newest) {
		t.Errorf("asOf %v, want %s (the newest event's time)", r.AsOf, newest)
	}
	if r.Interval != "month" || r.GroupBy != "" || r.Currency != nil || len(r.Columns) != len(cols) {
		t.Errorf("interval %q, groupBy %q, currency %v, %d columns", r.Interval, r.GroupBy, r.Currency, len(r.Columns))
	}
	wantLines(t, "funnel by owner", lines(e.report(admin, "funnel", append(period, "groupBy", "owner")...).Rows, cols[:3]...), []string{
		"2026-01-01|" + own.id + "|5",
		"2026-02-01|someone-else|3",
	})
	wantLines(t, "funnel by source, quarterly", lines(e.report(admin, "funnel", append(period, "groupBy", "source", "interval", "quarter")...).Rows, cols[:4]...), []string{
		"2026-01-01||3|3", // February's leads have no source
		"2026-01-01|event|2|2",
		"2026-01-01|web|3|2",
	})
	wantLines(t, "funnel filtered", lines(e.report(admin, "funnel", append(period, "filter", `{"field":"source","op":"eq","value":"event"}`)...).Rows, cols[:5]...), []string{
		"2026-01-01||2|2|2",
	})
	// Own scope: only own's leads.
	wantLines(t, "own scope", lines(e.report(own, "funnel", period...).Rows, cols...), []string{
		"2026-01-01||5|4|3|2|1|0.8000|0.7500|0.6667|0.5000",
	})

	// The drill-down lists the leads counted, in the caller's scope.
	drill := append(period, "period", "2026-01-01", "group", "", "measure", "opportunities")
	ids, recs := e.records(admin, "funnel", drill...)
	if !slices.Equal(ids, opportunities) || recs[0].Kind != "lead" || recs[0].Fields["opportunityId"] == nil {
		t.Errorf("drill-down of January's opportunities: %v, want %v", ids, opportunities)
	}
	if ids, _ := e.records(admin, "funnel", append(period, "period", "2026-01-01", "group", "", "measure", "won")...); len(ids) != 1 || ids[0] != opportunities[0] {
		t.Errorf("drill-down of January's won: %v, want %s", ids, opportunities[0])
	}
	if ids, _ := e.records(own, "funnel", append(period, "period", "2026-02-01", "group", "", "measure", "leads")...); len(ids) != 0 {
		t.Errorf("own scope drills into another's leads: %v", ids)
	}
	if ids, _ := e.records(admin, "funnel", append(period, "period", "2026-02-01", "group", "", "measure", "leads", "limit", "2")...); len(ids) != 2 {
		t.Errorf("limit 2: %d records", len(ids))
	}
}

func TestReportsTenantsApart(t *testing.T) {
	e := newEnv(t)
	a, b := newUser(uuid.NewString()), newUser(uuid.NewString())
	_, n, newest := e.funnelHistory(a.tenant, a.id, "x")
	e.publishLead(b.tenant, "created", lead{ID: uuid.NewString(), Owner: b.id, Created: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
	e.waitEvents(a.tenant, "sales", n)
	e.waitEvents(b.tenant, "sales", 1)
	period := []string{"from", "2026-01-01", "to", "2026-03-01"}
	wantLines(t, "tenant a", lines(e.report(a, "funnel", period...).Rows, "period", "leads"), []string{"2026-01-01|5", "2026-02-01|3"})
	rb := e.report(b, "funnel", period...)
	wantLines(t, "tenant b", lines(rb.Rows, "period", "leads"), []string{"2026-01-01|1"})
	if rb.AsOf == nil || rb.AsOf.Equal(newest) {
		t.Errorf("tenant b's asOf %v is a's", rb.AsOf)
	}
	// Nothing applied: asOf null.
	c := newUser(uuid.NewString())
	if rc := e.report(c, "funnel", period...); rc.AsOf != nil || len(rc.Rows) != 0 {
		t.Errorf("a tenant without events: asOf %v, %d rows", rc.AsOf, len(rc.Rows))
	}
	// Reading needs reporting:read.
	e.want(e.do(a.as("contacts:read"), http.MethodGet, "/v1/reports/funnel", nil), http.StatusForbidden)
	e.want(e.do(user{}, http.MethodGet, "/v1/reports", nil), http.StatusUnauthorized)
}
