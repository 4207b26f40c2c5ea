package reporting_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestPipelineStagesReport: a pipeline of five stages and a few
// opportunities moving through it — moves published out of order, one
// backwards, one into the won stage — give per stage its open
// opportunities with amounts (weighted half-even) and ages at to, the
// moves into it and out of it in [from, to), its conversion and the time
// spent in it before moving out (since the move into it, else the
// opportunity's creation); a deleted opportunity counts nowhere; rows by
// position; the drill-down lists a stage's records through a filter.
func TestPipelineStagesReport(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	pipeline := uuid.NewString()
	st := func(name, kind string) stageRef {
		return stageRef{Pipeline: pipeline, Stage: uuid.NewString(), Name: name, Kind: kind}
	}
	s1, s2, s3, won, lost := st("Qualify", "open"), st("Propose", "open"), st("Negotiate", "open"), st("Won", "won"), st("Lost", "lost")
	e.publishPipeline(u.tenant, pipeline, "Sales", []stageRef{s1, s2, s3, won, lost})
	n := 1
	ids := map[string]string{}
	mk := func(name string, o opp) opp {
		o.ID, o.Owner, o.Exponent, o.Version = uuid.NewString(), u.id, 2, 1
		ids[name] = o.ID
		if o.Currency == "" {
			o.Currency = "EUR"
		}
		return o
	}
	// move publishes o moved from from into to at at, as version v.
	move := func(o opp, from, to stageRef, at time.Time, v int) {
		o.Stage, o.Updated, o.Version = to, at, v
		if to.Kind == "won" {
			o.Status, o.Closed = "won", at
		}
		e.publishStageMove(u.tenant, o, from)
		n++
	}
	a := mk("a", opp{Stage: s1, Amount: 10000, Probability: 50, Created: plDay(1, 1)}) // 90 days old at to
	e.publishOpp(u.tenant, "created", a)
	move(a, s1, s2, plDay(3, 10), 2)                                                   // out of s1 68 days after its creation
	b := mk("b", opp{Stage: s1, Amount: 20001, Probability: 10, Created: plDay(3, 5)}) // 27 days
	e.publishOpp(u.tenant, "created", b)
	c := mk("c", opp{Stage: s1, Amount: 40000, Probability: 30, Created: plDay(0, 1)}) // won
	move(c, s3, won, plDay(3, 20), 4)                                                  // out of s3 after 5 days
	move(c, s2, s3, plDay(3, 15), 3)                                                   // out of s2 after 42 days
	move(c, s1, s2, plDay(2, 1), 2)                                                    // before from
	d := mk("d", opp{Stage: s1, Amount: 30000, Probability: 20, Created: plDay(2, 1)}) // 59 days
	move(d, s2, s1, plDay(3, 12), 3)                                                   // backwards after 10 days
	move(d, s1, s2, plDay(3, 2), 2)                                                    // out of s1 after 29 days
	x := mk("e", opp{Stage: s2, Amount: 5000, Probability: 50, Currency: "USD", Created: plDay(3, 20)})
	e.publishOpp(u.tenant, "created", x)
	f := mk("f", opp{Stage: s3, Amount: 7000, Probability: 50, Created: plDay(3, 1)})
	e.publishOpp(u.tenant, "deleted", f)
	n += 4
	e.waitEvents(u.tenant, "sales", int64(n))
	d2 := int64(24 * time.Hour / time.Second)
	s := func(days int64) string { return plItoa(days * d2) }
	period := []string{"from", "2026-03-01", "to", "2026-04-01"}

	r := e.report(u, "pipeline-stages", period...)
	if r.GroupBy != "pipeline" {
		t.Errorf("groupBy %q, want pipeline", r.GroupBy)
	}
	p := "|" + pipeline + "|Sales|"
	wantLines(t, "pipeline-stages", lines(r.Rows, "group", "pipelineName", "stageName", "position", "open", "openAmount",
		"weightedAmount", "age0to30", "age31to60", "age61to90", "age90plus", "entered", "advanced", "conversion",
		"timeInStageMedian", "timeInStageP90"), []string{
		p[1:] + "Qualify|1|2|500.01|80.00|1|1|0|0|1|2|2.0000|" + s(29) + "|" + s(68),
		p[1:] + "Propose|2|2|100.00|50.00|1|0|1|0|2|1|0.5000|" + s(10) + "|" + s(42),
		p[1:] + "Negotiate|3|0|0.00|0.00|0|0|0|0|1|1|1.0000|" + s(5) + "|" + s(5),
		p[1:] + "Won|4|0|0.00|0.00|0|0|0|0|1|0|0.0000|nil|nil",
		p[1:] + "Lost|5|0|0.00|0.00|0|0|0|0|0|0||nil|nil",
	})
	if len(r.Rows) > 0 && (r.Rows[0]["stage"] != s1.Stage || r.Currency == nil || *r.Currency != "EUR") {
		t.Errorf("first row %v, currency %v: want stage %s in EUR", r.Rows[0], r.Currency, s1.Stage)
	}

	inS2 := `{"field": "stageId", "op": "eq", "value": "` + s2.Stage + `"}`
	got, recs := e.records(u, "pipeline-stages", append(period, "group", pipeline, "measure", "timeInStageP90", "filter", inS2)...)
	wantLines(t, "records behind Propose's time in stage", got, sortedIDs(ids["c"], ids["d"]))
	for _, rec := range recs {
		if want := map[string]float64{ids["c"]: float64(42 * d2), ids["d"]: float64(10 * d2)}[rec.ID]; rec.Fields["timeInStageSeconds"] != want {
			t.Errorf("record %s: time in stage %v, want %v", rec.ID, rec.Fields["timeInStageSeconds"], want)
		}
	}
	got, _ = e.records(u, "pipeline-stages", append(period, "group", pipeline, "measure", "open", "filter", inS2)...)
	wantLines(t, "records behind Propose's open", got, sortedIDs(ids["a"], ids["e"]))
	got, _ = e.records(u, "pipeline-stages", append(period, "group", pipeline, "measure", "age90plus")...)
	wantLines(t, "records behind the pipeline's age over 90 days", got, []string{})

	bad := e.want(e.do(u, http.MethodGet, "/v1/reports/pipeline-stages?interval=month", nil), http.StatusBadRequest)
	if f := bad.fields(); len(f) != 1 || f[0] != "interval" {
		t.Errorf("an interval: fields %v, want interval", f)
	}
}
