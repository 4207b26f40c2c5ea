package sales_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/sales/deals"
	"github.com/rapport-crm/rapport/services/sales/forecasts"
)

// forecastSet creates, as u, the opportunities of the forecast tests:
// alice's open ones in pipeline (EUR 100.00 at 10%), commit (USD 10.05 at
// 50%) and bestCase (JPY 333 at 30%), one without an amount, a won one
// (EUR 50.00) and one in the next quarter; bob's (team t1) open EUR 7.77
// at 10% and two lost ones, one in GBP, which has no rate.
func forecastSet(e *env, u user, alice string) {
	e.t.Helper()
	def := defaultPipeline(e, u)
	won, lost := def.Stages[6].ID, def.Stages[8].ID
	eur := func(minor int) map[string]any { return map[string]any{"minor": minor, "currency": "EUR"} }
	for _, o := range []map[string]any{
		{"ownerId": alice, "amount": eur(10000), "probability": 10},
		{"ownerId": alice, "amount": map[string]any{"minor": 1005, "currency": "USD"}, "probability": 50, "forecastCategory": "commit"},
		{"ownerId": alice, "amount": map[string]any{"minor": 333, "currency": "JPY"}, "probability": 30, "forecastCategory": "bestCase"},
		{"ownerId": alice},
		{"ownerId": alice, "amount": eur(5000), "stageId": won, "accountId": uuid.NewString()},
		{"ownerId": alice, "amount": eur(100000), "closeDate": "2027-04-01"},
		{"ownerId": "bob", "teamId": "t1", "amount": eur(777), "probability": 10},
		{"ownerId": "bob", "amount": eur(2000), "stageId": lost, "lostReason": "price"},
		{"ownerId": "bob", "amount": map[string]any{"minor": 100, "currency": "GBP"}, "stageId": lost, "lostReason": "price"},
	} {
		o["name"] = "deal"
		if o["closeDate"] == nil {
			o["closeDate"] = "2027-02-15"
		}
		createOpportunity(e, u, o)
	}
}

// forecastOf reads a forecast as u.
func forecastOf(e *env, u user, query string) forecasts.Forecast {
	e.t.Helper()
	return contracttest.Decode[forecasts.Forecast](e.want(e.do(u, "GET", "/v1/forecasts?"+query, nil), http.StatusOK))
}

// figures are a group's figures in order: pipeline, bestCase, commit,
// closedWon, weighted.
func figures(g forecasts.Group) []int64 {
	return []int64{g.Pipeline, g.BestCase, g.Commit, g.ClosedWon, g.Weighted}
}

func TestForecastFigures(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	alice := u.scoped(auth.ScopeOwn)
	forecastSet(e, u, alice.id)

	// Without rates, the first currency to convert is named.
	r := e.want(e.do(u, "GET", "/v1/forecasts?period=2027-Q1&currency=EUR", nil), http.StatusUnprocessableEntity)
	if p := contracttest.Decode[problemBody](r); !strings.Contains(p.Detail, "JPY") || !slices.Equal(r.fields(), []string{"currency"}) {
		t.Errorf("no rates: %s", r.Raw)
	}
	e.want(e.do(u.as("sales:read", "sales:write"), "PUT", "/v1/forecasts/rates", map[string]any{"baseCurrency": "EUR", "rates": map[string]string{}}), http.StatusForbidden)
	rates := contracttest.Decode[forecasts.Rates](e.want(e.do(u, "PUT", "/v1/forecasts/rates",
		map[string]any{"baseCurrency": "EUR", "rates": map[string]string{"USD": "0.9", "JPY": "0.0061"}}), http.StatusOK))
	if rates.UpdatedBy != u.id || rates.Rates["USD"] != "0.9" {
		t.Errorf("rates set %+v", rates)
	}
	if got := contracttest.Decode[forecasts.Rates](e.want(e.do(u, "GET", "/v1/forecasts/rates", nil), http.StatusOK)); got.BaseCurrency != "EUR" || len(got.Rates) != 2 {
		t.Errorf("rates read %+v", got)
	}

	// EUR cents: alice's commit 5000 + 1005 × 0.9 = 5904.5, half-even 5904;
	// bestCase + 333 × 0.61 = 6107.63; pipeline + 10000 = 16107.63;
	// weighted 1000 + 452.25 + 60.939. bob's 777 at 10%.
	f := forecastOf(e, u, "period=2027-Q1&currency=EUR&groupBy=owner")
	if len(f.Groups) != 2 || f.Exponent != 2 || f.From != "2027-01-01" || f.To != "2027-03-31" {
		t.Fatalf("forecast %+v", f)
	}
	byKey := map[string]forecasts.Group{}
	for _, g := range f.Groups {
		byKey[g.Key] = g
	}
	if got, want := figures(byKey[alice.id]), []int64{16108, 6108, 5904, 5000, 1513}; !slices.Equal(got, want) {
		t.Errorf("alice %v, want %v", got, want)
	}
	if got := byKey[alice.id].Counts; got[deals.CategoryPipeline] != 2 || got[deals.CategoryCommit] != 1 || got[deals.CategoryBestCase] != 1 || got[deals.CategoryClosed] != 1 {
		t.Errorf("alice's counts %v", got)
	}
	if got, want := figures(byKey["bob"]), []int64{777, 0, 0, 0, 78}; !slices.Equal(got, want) || byKey["bob"].Counts[deals.CategoryOmitted] != 2 {
		t.Errorf("bob %v (counts %v), want %v", got, byKey["bob"].Counts, want)
	}
	// The tenant's figures are rounded once, not summed from the owners'.
	f = forecastOf(e, u, "period=2027-Q1&currency=EUR")
	if got, want := figures(f.Groups[0]), []int64{16885, 6108, 5904, 5000, 1591}; len(f.Groups) != 1 || !slices.Equal(got, want) {
		t.Errorf("tenant %v, want %v", got, want)
	}
	// In USD (÷ 0.9): alice's won 5000 / 0.9 = 5555.5…, commit 1005 + 5555.5… = 6560.5…
	f = forecastOf(e, u, "period=2027-02&currency=USD&ownerId="+alice.id)
	if got, want := figures(f.Groups[0]), []int64{17897, 6786, 6561, 5556, 1681}; !slices.Equal(got, want) {
		t.Errorf("alice in USD %v, want %v", got, want)
	}
	if f = forecastOf(e, u, "period=2027-01&currency=EUR"); len(f.Groups) != 0 {
		t.Errorf("January: %+v", f.Groups)
	}
	r = e.want(e.do(u, "GET", "/v1/forecasts?period=2027-Q1&currency=CHF", nil), http.StatusUnprocessableEntity)
	if p := contracttest.Decode[problemBody](r); !strings.Contains(p.Detail, "CHF") {
		t.Errorf("CHF without a rate: %s", p.Detail)
	}

	// Scope: alice sees her own; a team-scoped user of t1 bob's in t1.
	if f = forecastOf(e, alice, "period=2027-Q1&currency=EUR&groupBy=owner"); len(f.Groups) != 1 || f.Groups[0].Key != alice.id {
		t.Errorf("alice's own forecast %+v", f.Groups)
	}
	lead := u.scoped(auth.ScopeTeam, "t1")
	f = forecastOf(e, lead, "period=2027-Q1&currency=EUR&groupBy=team")
	if got := figures(f.Groups[0]); len(f.Groups) != 1 || f.Groups[0].Key != "t1" || got[0] != 777 {
		t.Errorf("t1's lead %+v", f.Groups)
	}
}

func TestForecastOverrides(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	alice := u.scoped(auth.ScopeOwn)
	forecastSet(e, u, alice.id)
	e.want(e.do(u, "PUT", "/v1/forecasts/rates", map[string]any{"baseCurrency": "EUR", "rates": map[string]string{"USD": "0.9", "JPY": "0.0061"}}), http.StatusOK)

	body := map[string]any{"period": "2027-Q1", "ownerId": alice.id, "category": "commit", "amount": map[string]any{"minor": 600000, "currency": "EUR"}, "note": "the big one"}
	e.want(e.do(alice.as("sales:read", "sales:write"), "PUT", "/v1/forecasts/overrides", body), http.StatusForbidden)
	o := contracttest.Decode[forecasts.Override](e.want(e.do(u, "PUT", "/v1/forecasts/overrides", body), http.StatusOK))
	if o.SetBy != u.id || o.SetAt.IsZero() || *o.Amount.Exponent != 2 {
		t.Errorf("override %+v", o)
	}
	team := map[string]any{"period": "2027-Q1", "teamId": "t1", "category": "bestCase", "amount": map[string]any{"minor": 1, "currency": "USD"}}
	e.want(e.do(u, "PUT", "/v1/forecasts/overrides", team), http.StatusOK)

	f := forecastOf(e, u, "period=2027-Q1&currency=EUR&groupBy=owner")
	for _, g := range f.Groups {
		switch {
		case g.Key == alice.id && (len(g.Overrides) != 1 || g.Overrides[0].Amount.Minor != 600000 || g.Overrides[0].Note != "the big one" || g.Commit != 5904):
			t.Errorf("alice's group %+v: the override beside the computed 5904", g)
		case g.Key == "bob" && len(g.Overrides) != 0:
			t.Errorf("bob's group %+v", g)
		}
	}
	if f = forecastOf(e, alice, "period=2027-Q1&currency=EUR&groupBy=owner"); len(f.Groups[0].Overrides) != 1 {
		t.Errorf("alice sees %+v", f.Groups[0])
	}
	if f = forecastOf(e, u, "period=2027-Q1&currency=EUR&groupBy=team"); len(f.Groups) != 2 || len(f.Groups[1].Overrides) != 1 || f.Groups[1].Key != "t1" || f.Groups[0].Key != "" {
		t.Errorf("by team %+v", f.Groups)
	}
	// An override of a team without opportunities in the period is shown
	// on a group of its own; alice (scope own) sees no team's.
	quiet := map[string]any{"period": "2027-Q1", "teamId": "t9", "category": "commit", "amount": map[string]any{"minor": 5, "currency": "EUR"}}
	e.want(e.do(u, "PUT", "/v1/forecasts/overrides", quiet), http.StatusOK)
	f = forecastOf(e, u, "period=2027-Q1&currency=EUR&groupBy=team&teamId=t9")
	if len(f.Groups) != 1 || f.Groups[0].Key != "t9" || f.Groups[0].Pipeline != 0 || len(f.Groups[0].Overrides) != 1 {
		t.Errorf("t9 %+v", f.Groups)
	}
	if f = forecastOf(e, alice, "period=2027-Q1&currency=EUR&groupBy=team"); len(f.Groups) != 1 || len(f.Groups[0].Overrides) != 0 {
		t.Errorf("alice by team %+v", f.Groups)
	}
	if f = forecastOf(e, u, "period=2027-02&currency=EUR&groupBy=owner"); len(f.Groups[0].Overrides)+len(f.Groups[1].Overrides) != 0 {
		t.Errorf("a month shows the quarter's overrides: %+v", f.Groups)
	}
	// A manager of t1 (scope team) sees the override of bob, whose
	// opportunity in t1 they see, though an owner's override names no
	// team; not alice's, none of whose opportunities is theirs to see.
	e.want(e.do(u, "PUT", "/v1/forecasts/overrides", map[string]any{"period": "2027-Q1", "ownerId": "bob", "category": "commit",
		"amount": map[string]any{"minor": 7, "currency": "EUR"}}), http.StatusOK)
	f = forecastOf(e, u.scoped(auth.ScopeTeam, "t1"), "period=2027-Q1&currency=EUR&groupBy=owner")
	if len(f.Groups) != 1 || f.Groups[0].Key != "bob" || len(f.Groups[0].Overrides) != 1 || f.Groups[0].Overrides[0].Amount.Minor != 7 {
		t.Errorf("t1's manager sees %+v, want bob's group with his override", f.Groups)
	}
	if got := eventTypes(e, forecasts.OverrideSubject("2027-Q1", "owner", alice.id)); !slices.Equal(got, []string{"dev.rapport.sales.forecast.overridden.v1"}) {
		t.Errorf("alice's override events %v", got)
	}
	validateEvents(t, e)
}

func TestForecastBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for query, fields := range map[string][]string{
		"period=2027-Q5&currency=EUR":             {"period"},
		"currency=EUR":                            {"period"},
		"period=2027-13&currency=EUR&groupBy=all": {"period", "groupBy"},
		"period=2027-Q1&currency=eur":             {"currency"},
		"period=2027-Q1":                          {"currency"},
	} {
		if r := e.want(e.do(u, "GET", "/v1/forecasts?"+query, nil), http.StatusBadRequest); !slices.Equal(r.fields(), fields) {
			t.Errorf("%s names %v, want %v", query, r.fields(), fields)
		}
	}
	for _, tt := range []struct {
		body   map[string]any
		fields []string
	}{
		{map[string]any{"baseCurrency": "EUR", "rates": map[string]string{"USD": "0", "EUR": "1"}}, []string{"rates/EUR", "rates/USD"}},
		{map[string]any{"baseCurrency": "XAU", "rates": map[string]string{"usd": "1.1"}}, []string{"baseCurrency", "rates/usd"}},
	} {
		if r := e.want(e.do(u, "PUT", "/v1/forecasts/rates", tt.body), http.StatusBadRequest); !slices.Equal(r.fields(), tt.fields) {
			t.Errorf("%v names %v, want %v", tt.body, r.fields(), tt.fields)
		}
	}
	r := e.want(e.do(u, "PUT", "/v1/forecasts/overrides", map[string]any{"period": "2027", "ownerId": "a", "teamId": "b", "category": "pipeline",
		"amount": map[string]any{"minor": 1, "currency": "EUR"}}), http.StatusBadRequest)
	if want := []string{"period", "ownerId", "category"}; !slices.Equal(r.fields(), want) {
		t.Errorf("a bad override names %v, want %v", r.fields(), want)
	}
}
