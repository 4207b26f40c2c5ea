package reporting_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// forecastHistory publishes the opportunities and overrides of a forecast
// in tenant (ann of team east, bob of team west, USD with a stray EUR
// one) and returns the number of sales events.
func (e *env) forecastHistory(tenant string) int64 {
	e.t.Helper()
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }
	usd := func(o opp, minor int64) opp {
		o.ID, o.Currency, o.Amount, o.Exponent = uuid.NewString(), "USD", minor, 2
		if o.Created.IsZero() {
			o.Created = at(1, 2)
		}
		return o
	}
	ann := opp{Owner: "ann", Team: "east"}
	bob := opp{Owner: "bob", Team: "west"}
	with := func(o opp, f func(*opp)) opp { f(&o); return o }
	events := []struct {
		verb string
		o    opp
	}{
		{"created", usd(with(ann, func(o *opp) { o.Category, o.CloseDate = "commit", "2026-01-20" }), 100000)},
		{"created", usd(with(ann, func(o *opp) { o.Category, o.CloseDate = "bestCase", "2026-01-25" }), 50000)},
		{"created", usd(with(ann, func(o *opp) { o.CloseDate = "2026-01-28" }), 20000)},
		{"won", usd(with(ann, func(o *opp) { o.Category, o.CloseDate, o.Closed = "closed", "2026-01-10", at(1, 12) }), 30000)},
		{"lost", usd(with(ann, func(o *opp) { o.Category, o.CloseDate, o.Closed = "commit", "2026-01-15", at(1, 15) }), 70000)},
		{"created", with(usd(with(ann, func(o *opp) { o.Category, o.CloseDate = "commit", "2026-01-21" }), 99999), func(o *opp) { o.Currency = "EUR" })},
		{"created", usd(with(bob, func(o *opp) { o.Category, o.CloseDate = "commit", "2026-02-05" }), 40000)},
		{"won", usd(with(bob, func(o *opp) { o.Category, o.CloseDate, o.Closed = "closed", "2026-03-02", at(2, 15) }), 25000)},
		{"created", usd(with(bob, func(o *opp) { o.Category, o.CloseDate = "commit", "2026-05-05" }), 1)}, // after the period
	}
	for _, ev := range events {
		e.publishOpp(tenant, ev.verb, ev.o)
	}
	e.publishForecast(tenant, "bob", "west", "2026-02", "commit", 45000, "USD", 2, at(2, 1))
	e.publishForecast(tenant, "bob", "west", "2026-03", "commit", 77700, "EUR", 2, at(2, 1)) // another currency: not USD's
	e.publishForecast(tenant, "", "east", "2026-01", "commit", 200000, "USD", 2, at(1, 3))
	e.publishForecast(tenant, "ann", "east", "2026-Q1", "bestCase", 500000, "USD", 2, at(1, 3))
	return int64(len(events) + 4)
}

func TestForecastFigures(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.waitEvents(u.tenant, "sales", e.forecastHistory(u.tenant))
	period := []string{"from", "2026-01-01", "to", "2026-04-01"}
	cols := []string{"period", "group", "commit", "bestCase", "pipeline", "actual", "attainment"}

	r := e.report(u, "forecast", period...)
	if r.GroupBy != "owner" || r.Currency == nil || *r.Currency != "USD" || r.Interval != "month" {
		t.Errorf("groupBy %q, currency %v, interval %q", r.GroupBy, r.Currency, r.Interval)
	}
	wantLines(t, "forecast by owner", lines(r.Rows, cols...), []string{
		"2026-01-01|ann|1300.00|1800.00|1700.00|300.00|0.2308",
		"2026-02-01|bob|450.00|400.00|400.00|250.00|0.5556", // commit overridden
		"2026-03-01|bob|250.00|250.00|0.00|0.00|0.0000",
	})
	wantLines(t, "forecast by team", lines(e.report(u, "forecast", append(period, "groupBy", "team")...).Rows, cols...), []string{
		"2026-01-01|east|2000.00|1800.00|1700.00|300.00|0.1500", // the team's override
		"2026-02-01|west|400.00|400.00|400.00|250.00|0.6250",
		"2026-03-01|west|250.00|250.00|0.00|0.00|0.0000",
	})
	wantLines(t, "forecast by quarter", lines(e.report(u, "forecast", append(period, "interval", "quarter")...).Rows, cols...), []string{
		"2026-01-01|ann|1300.00|5000.00|1700.00|300.00|0.2308",
		"2026-01-01|bob|650.00|650.00|400.00|250.00|0.3846",
	})
	wantLines(t, "forecast in EUR", lines(e.report(u, "forecast", append(period, "currency", "EUR")...).Rows, cols...), []string{
		"2026-01-01|ann|999.99|999.99|999.99|0.00|0.0000",
		"2026-03-01|bob|777.00|0.00|0.00|0.00|0.0000",
	})
	// Own scope: ann sees only hers.
	ann := u.scoped("own")
	ann.id = "ann"
	wantLines(t, "ann's own", lines(e.report(ann, "forecast", period...).Rows, cols[:3]...), []string{"2026-01-01|ann|1300.00"})
	// The drill-down of a figure lists its opportunities.
	if ids, _ := e.records(u, "forecast", append(period, "period", "2026-01-01", "group", "ann", "measure", "pipeline")...); len(ids) != 3 {
		t.Errorf("ann's January pipeline: %d opportunities, want 3", len(ids))
	}
}
