package reporting_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// reportBody is a report's JSON as the customer reports' tests read it.
type reportBody struct {
	Report   string           `json:"report"`
	GroupBy  string           `json:"groupBy"`
	Currency string           `json:"currency"`
	Rows     []map[string]any `json:"rows"`
}

// recordsBody is a drill-down's JSON.
type recordsBody struct {
	Records []struct {
		Kind   string         `json:"kind"`
		ID     string         `json:"id"`
		Name   string         `json:"name"`
		Fields map[string]any `json:"fields"`
	} `json:"records"`
}

// report gets GET /v1/reports/<name>?<query> as u (query: name, value
// pairs) and returns its body; the request must succeed.
func (e *env) report(u user, name string, query ...string) reportBody {
	e.t.Helper()
	r := e.want(e.do(u, http.MethodGet, "/v1/reports/"+name+"?"+pairs(query).Encode(), nil), http.StatusOK)
	var b reportBody
	if err := json.Unmarshal(r.Raw, &b); err != nil {
		e.t.Fatalf("report %s: %v\n%s", name, err, r.Raw)
	}
	return b
}

// records gets the drill-down GET /v1/reports/<name>/records as u and
// returns the ids of its records in order and the body.
func (e *env) records(u user, name string, query ...string) ([]string, recordsBody) {
	e.t.Helper()
	r := e.want(e.do(u, http.MethodGet, "/v1/reports/"+name+"/records?"+pairs(query).Encode(), nil), http.StatusOK)
	var b recordsBody
	if err := json.Unmarshal(r.Raw, &b); err != nil {
		e.t.Fatalf("records %s: %v\n%s", name, err, r.Raw)
	}
	ids := []string{}
	for _, rec := range b.Records {
		ids = append(ids, rec.ID)
	}
	return ids, b
}

// pairs is query, name and value pairs, as url.Values.
func pairs(query []string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(query); i += 2 {
		q.Set(query[i], query[i+1])
	}
	return q
}

// lines writes each of rows as its values of cols joined by "|" (a
// whole number without decimals, null as "nil"), to compare a report's
// rows with what a test computed by hand.
func lines(rows []map[string]any, cols ...string) []string {
	out := []string{}
	for _, r := range rows {
		var vals []string
		for _, c := range cols {
			switch v := r[c].(type) {
			case nil:
				vals = append(vals, "nil")
			case float64:
				vals = append(vals, fmt.Sprint(int64(v)))
			default:
				vals = append(vals, fmt.Sprint(v))
			}
		}
		out = append(out, strings.Join(vals, "|"))
	}
	return out
}

// wantLines fails t unless got equals want, showing both.
func wantLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// utcDay is midnight UTC of the date given.
func utcDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// sortedIDs returns ids sorted.
func sortedIDs(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// equalIDs reports whether got and want are the same in order.
func equalIDs(got, want []string) bool { return slices.Equal(got, want) }
