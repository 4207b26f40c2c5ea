package reporting_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
)

// TestPipelineReport: a small history of opportunities of two owners in
// EUR and USD gives, per month, those created, won and lost with their
// amounts in the report currency (the tenant's most common by default, or
// the one asked for), the win rate, the average deal and the weighted
// amount rounded half-even, the sales cycle's median and p90 in seconds;
// a deleted opportunity counts nowhere; grouped by owner, team or
// pipeline; a filter narrows it, an unknown groupBy or filter field is a
// 400 naming it; an owner with scope own sees only theirs; the drill-down
// lists a cell's opportunities.
func TestPipelineReport(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	ownA := admin.scoped(auth.ScopeOwn)
	ownerA, ownerB := ownA.id, uuid.NewString()
	p1, p2 := "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
	ids := map[string]string{}
	n := 0
	publish := func(name, verb string, o opp) {
		o.ID = uuid.NewString()
		ids[name] = o.ID
		if o.Currency == "" {
			o.Currency = "EUR"
		}
		o.Exponent, o.Updated = 2, o.Created
		if !o.Closed.IsZero() {
			o.Updated = o.Closed
		}
		if o.Owner == "" {
			o.Owner, o.Team, o.Stage.Pipeline = ownerA, "t1", p1
		}
		e.publishOpp(admin.tenant, verb, o)
		n++
	}
	publish("o1", "won", opp{Amount: 100000, Created: plDay(1, 5), Closed: plDay(2, 10)})                // cycle 36 days
	publish("o2", "won", opp{Amount: 50001, Created: plDay(1, 10), Closed: plDay(2, 20)})                // 41 days
	publish("o3", "lost", opp{Amount: 30000, Created: plDay(2, 1), Closed: plDay(2, 15)})                //
	publish("o4", "created", opp{Amount: 10002, Probability: 25, Created: plDay(2, 3)})                  // weighted 25.005 → 25.00
	publish("o6", "created", opp{Amount: 10006, Probability: 25, Created: plDay(1, 20)})                 // weighted 25.015 → 25.02
	publish("o7", "won", opp{Amount: 70000, Currency: "USD", Created: plDay(2, 5), Closed: plDay(3, 1)}) // 24 days
	publish("o8", "deleted", opp{Amount: 99999, Currency: "USD", Created: plDay(1, 6)})
	publish("o9", "won", opp{Amount: 20000, Owner: ownerB, Team: "t2", Stage: stageRef{Pipeline: p2}, Created: plDay(1, 20), Closed: plDay(3, 5)}) // 44 days
	e.waitEvents(admin.tenant, "sales", int64(n))
	day := int64(24 * time.Hour / time.Second)
	cols := []string{"period", "group", "created", "createdAmount", "won", "wonAmount", "lost", "lostAmount", "winRate",
		"avgDealSize", "cycleMedian", "cycleP90", "openAmount", "weightedAmount"}
	period := []string{"from", "2026-01-01", "to", "2026-04-01"}

	r := e.report(admin, "pipeline", period...)
	if r.Currency == nil || *r.Currency != "EUR" || r.GroupBy != "" {
		t.Errorf("currency %v, groupBy %q: want EUR, none", r.Currency, r.GroupBy)
	}
	wantLines(t, "pipeline in EUR", lines(r.Rows, cols...), []string{
		"2026-01-01||4|1800.07|0|0.00|0|0.00|||nil|nil|100.06|25.02",
		"2026-02-01||3|400.02|2|1500.01|1|300.00|0.6667|750.00|" + plItoa(36*day) + "|" + plItoa(41*day) + "|100.02|25.00",
		"2026-03-01||0|0.00|2|200.00|0|0.00|1.0000|200.00|" + plItoa(24*day) + "|" + plItoa(44*day) + "|0.00|0.00",
	})

	r = e.report(admin, "pipeline", append(period, "currency", "USD")...)
	wantLines(t, "pipeline in USD", lines(r.Rows, "period", "created", "createdAmount", "won", "wonAmount", "avgDealSize"), []string{
		"2026-01-01|4|0.00|0|0.00|", "2026-02-01|3|700.00|2|0.00|", "2026-03-01|0|0.00|2|700.00|700.00",
	})

	r = e.report(admin, "pipeline", append(period, "groupBy", "owner")...)
	a, b := "|"+ownerA+"|", "|"+ownerB+"|"
	want := []string{"2026-01-01" + a + "3|1600.07|0", "2026-01-01" + b + "1|200.00|0", "2026-02-01" + a + "3|400.02|2",
		"2026-03-01" + a + "0|0.00|1", "2026-03-01" + b + "0|0.00|1"}
	if ownerB < ownerA {
		want[0], want[1] = want[1], want[0]
		want[3], want[4] = want[4], want[3]
	}
	wantLines(t, "pipeline by owner", lines(r.Rows, "period", "group", "created", "createdAmount", "won"), want)

	for _, g := range [][3]string{{"team", "t1", "t2"}, {"pipeline", p1, p2}} {
		r = e.report(admin, "pipeline", append(period, "groupBy", g[0])...)
		wantLines(t, "pipeline by "+g[0], lines(r.Rows, "period", "group", "created", "won"), []string{
			"2026-01-01|" + g[1] + "|3|0", "2026-01-01|" + g[2] + "|1|0", "2026-02-01|" + g[1] + "|3|2",
			"2026-03-01|" + g[1] + "|0|1", "2026-03-01|" + g[2] + "|0|1"})
	}
	r = e.report(admin, "pipeline", append(period, "filter", `{"field": "ownerId", "op": "eq", "value": "`+ownerB+`"}`)...)
	wantLines(t, "pipeline of owner B (filter)", lines(r.Rows, "period", "created", "won", "wonAmount"), []string{
		"2026-01-01|1|0|0.00", "2026-03-01|0|1|200.00"})
	bad := e.want(e.do(admin, http.MethodGet, "/v1/reports/pipeline?groupBy=stage", nil), http.StatusBadRequest)
	if f := bad.fields(); len(f) != 1 || f[0] != "groupBy" {
		t.Errorf("groupBy stage: fields %v, want groupBy", f)
	}
	bad = e.want(e.do(admin, http.MethodGet, "/v1/reports/pipeline?filter="+url.QueryEscape(`{"field": "colour", "op": "eq", "value": 1}`), nil),
		http.StatusBadRequest)
	if f := bad.fields(); len(f) != 1 || f[0] != "filter/field" {
		t.Errorf("a filter on an unknown field: fields %v, want filter/field", f)
	}

	r = e.report(ownA, "pipeline", period...)
	wantLines(t, "pipeline of owner A (scope own)", lines(r.Rows, "period", "created", "won", "wonAmount", "cycleMedian"), []string{
		"2026-01-01|3|0|0.00|nil", "2026-02-01|3|2|1500.01|" + plItoa(36*day), "2026-03-01|0|1|0.00|" + plItoa(24*day),
	})

	got, recs := e.records(admin, "pipeline", append(period, "period", "2026-02-01", "group", "", "measure", "cycleMedian")...)
	wantLines(t, "records behind February's cycle", got, sortedIDs(ids["o1"], ids["o2"]))
	for _, rec := range recs {
		if rec.Kind != "opportunity" || rec.Fields["cycleSeconds"] == nil {
			t.Errorf("record %+v: want an opportunity with its cycle", rec)
		}
	}
	got, _ = e.records(admin, "pipeline", append(period, "period", "2026-03-01", "group", "", "measure", "wonAmount")...)
	wantLines(t, "records behind March's won amount (EUR)", got, []string{ids["o9"]})
	got, _ = e.records(admin, "pipeline", append(period, "period", "2026-01-01", "group", "", "measure", "created")...)
	wantLines(t, "records behind January's created", got, sortedIDs(ids["o1"], ids["o2"], ids["o6"], ids["o9"]))
	got, _ = e.records(ownA, "pipeline", append(period, "period", "2026-03-01", "group", "", "measure", "won")...)
	wantLines(t, "records behind March's won, scope own", got, []string{ids["o7"]})
}
