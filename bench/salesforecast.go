package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
)

// Goal of part 10's forecast (issue 15): a quarter's forecast for the
// tenant of 100,000 opportunities, p99 ≤ 200 ms.
const goalForecastP99 = 200 * time.Millisecond

// forecastRates are the big tenant's exchange rates: the forecast is in
// EUR, and every fifth opportunity is in USD.
const forecastRates = `{"baseCurrency": "EUR", "rates": {"USD": "0.9234"}}`

// forecastPeriod is the quarter after the one of now, as GET /v1/forecasts
// names it (2027-Q1): the load's close dates run over the next 180 days,
// so they cover the whole of it.
func forecastPeriod(now time.Time) string {
	q := (int(now.Month())-1)/3 + 1
	year := now.Year()
	if q == 4 {
		return fmt.Sprintf("%d-Q1", year+1)
	}
	return fmt.Sprintf("%d-Q%d", year, q+1)
}

// measureForecast sets the tenant's rates and times its forecast of
// period for users of each scope and each grouping. Counted is the
// opportunities the forecast sums (every category), Cards its groups.
func measureForecast(ctx context.Context, client *http.Client, stack *contactsStack, tenant, period string) ([]salesCase, error) {
	admin := stack.tokens(salesPrincipal(tenant, 0, auth.ScopeAll))
	if _, err := benchRequest(ctx, client, admin, http.MethodPut, stack.base+"/v1/forecasts/rates", forecastRates); err != nil {
		return nil, err
	}
	forecast := func(groupBy string) string {
		return stack.base + "/v1/forecasts?" + url.Values{"period": {period}, "groupBy": {groupBy}, "currency": {"EUR"}}.Encode()
	}
	cases := []struct {
		name  string
		scope auth.Scope
		url   string
		goal  bool
	}{
		{"(f) forecast, scope all: GET /v1/forecasts?period=" + period + "&groupBy=tenant", auth.ScopeAll, forecast("tenant"), true},
		{"(g) forecast, scope all, groupBy=owner", auth.ScopeAll, forecast("owner"), true},
		{"(h) forecast, scope all, groupBy=team", auth.ScopeAll, forecast("team"), true},
		{"(i) forecast, scope team (user-0, team-0), groupBy=owner", auth.ScopeTeam, forecast("owner"), false},
		{"(j) forecast, scope own (user-0)", auth.ScopeOwn, forecast("tenant"), false},
	}
	var out []salesCase
	for _, c := range cases {
		var count, groups int
		l, err := timeRequests(ctx, client, stack.tokens(salesPrincipal(tenant, 0, c.scope)), c.url, func(body []byte) (err error) {
			count, groups, err = forecastSize(body)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		out = append(out, salesCase{Name: c.name, Count: count, Cards: groups, Goal: c.goal, Forecast: true, Latency: l})
	}
	if out[0].Count == 0 {
		return nil, fmt.Errorf("the forecast of %s sums no opportunity: the load's close dates miss the quarter", period)
	}
	return out, nil
}

// timeRequests sends GET u with token sequentially, salesWarmup times
// untimed and then salesRequests times timed, and returns their latency;
// first reads the first answer.
func timeRequests(ctx context.Context, client *http.Client, token func() (string, error), u string, first func(body []byte) error) (latency, error) {
	took := make([]time.Duration, 0, salesRequests)
	for i := range salesWarmup + salesRequests {
		t := time.Now()
		body, err := benchRequest(ctx, client, token, http.MethodGet, u, "")
		if err != nil {
			return latency{}, err
		}
		if i >= salesWarmup {
			took = append(took, time.Since(t))
		}
		if i == 0 {
			if err := first(body); err != nil {
				return latency{}, err
			}
		}
	}
	slices.Sort(took)
	return latency{P50: quantile(took, 0.50), P99: quantile(took, 0.99), Max: took[len(took)-1], Samples: len(took)}, nil
}

// forecastSize returns the opportunities a forecast sums (its counts of
// every category, over its groups) and its groups.
func forecastSize(body []byte) (count, groups int, err error) {
	var f struct {
		Groups []struct {
			Counts map[string]int `json:"counts"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(body, &f); err != nil {
		return 0, 0, err
	}
	for _, g := range f.Groups {
		for _, n := range g.Counts {
			count += n
		}
	}
	return count, len(f.Groups), nil
}
