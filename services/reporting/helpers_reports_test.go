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

// The helpers every report's tests share: a report or a drill-down
// through the route, its rows written as lines to compare with figures
// computed by hand.

// reportBody is a report's JSON: the parameters answered and asOf
// besides the rows.
type reportBody struct {
	Report   string     `json:"report"`
	From     time.Time  `json:"from"`
	To       time.Time  `json:"to"`
	Interval string     `json:"interval"`
	GroupBy  string     `json:"groupBy"`
	Currency *string    `json:"currency"`
	AsOf     *time.Time `json:"asOf"`
	Columns  []struct {
		Name, Label, LabelZh, Type string
	} `json:"columns"`
	Rows []map[string]any `json:"rows"`
}

// drillRecord is a record of a drill-down.
type drillRecord struct {
	Kind   string         `json:"kind"`
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	Fields map[string]any `json:"fields"`
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

// records gets the drill-down GET /v1/reports/<name>/records as u (it
// must succeed) and returns the ids of its records in order and the
// records.
func (e *env) records(u user, name string, query ...string) ([]string, []drillRecord) {
	e.t.Helper()
	r := e.want(e.do(u, http.MethodGet, "/v1/reports/"+name+"/records?"+pairs(query).Encode(), nil), http.StatusOK)
	var b struct {
		Records []drillRecord `json:"records"`
	}
	if err := json.Unmarshal(r.Raw, &b); err != nil {
		e.t.Fatalf("records %s: %v\n%s", name, err, r.Raw)
	}
	ids := []string{}
	for _, rec := range b.Records {
		ids = append(ids, rec.ID)
	}
	return ids, b.Records
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

// sortedIDs returns ids sorted (a drill-down lists its records by id).
func sortedIDs(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
