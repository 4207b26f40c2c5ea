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

// rpReport is a report's JSON as the framework's tests read it: the
// parameters answered and asOf besides the rows.
type rpReport struct {
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

// rpGet gets the report name with query (name, value pairs) as u; it
// must answer 200.
func (e *env) rpGet(u user, name string, query ...string) rpReport {
	e.t.Helper()
	r := e.want(e.do(u, http.MethodGet, "/v1/reports/"+name+"?"+rpPairs(query).Encode(), nil), http.StatusOK)
	var b rpReport
	if err := json.Unmarshal(r.Raw, &b); err != nil {
		e.t.Fatalf("report %s: %v\n%s", name, err, r.Raw)
	}
	return b
}

// rpBad gets path as u and fails t unless it answers 400 naming field
// first, with a reason that mentions each of mentions.
func (e *env) rpBad(t *testing.T, u user, path, field string, mentions ...string) {
	t.Helper()
	r := e.do(u, http.MethodGet, path, nil)
	if r.Status != http.StatusBadRequest {
		t.Errorf("%s: status %d, want 400: %s", path, r.Status, r.Raw)
		return
	}
	var p problemBody
	if err := json.Unmarshal(r.Raw, &p); err != nil || len(p.Errors) == 0 {
		t.Errorf("%s: no fields named: %s", path, r.Raw)
		return
	}
	if p.Errors[0].Field != field {
		t.Errorf("%s: field %q, want %q (%s)", path, p.Errors[0].Field, field, r.Raw)
	}
	for _, m := range mentions {
		if !strings.Contains(p.Errors[0].Reason, m) {
			t.Errorf("%s: reason %q does not mention %q", path, p.Errors[0].Reason, m)
		}
	}
}

// rpRecords gets the drill-down of the report name with query as u (it
// must answer 200) and returns its records' ids in order.
func (e *env) rpRecords(u user, name string, query ...string) ([]string, rpDrill) {
	e.t.Helper()
	r := e.want(e.do(u, http.MethodGet, "/v1/reports/"+name+"/records?"+rpPairs(query).Encode(), nil), http.StatusOK)
	var b rpDrill
	if err := json.Unmarshal(r.Raw, &b); err != nil {
		e.t.Fatalf("records %s: %v\n%s", name, err, r.Raw)
	}
	ids := []string{}
	for _, rec := range b.Records {
		ids = append(ids, rec.ID)
	}
	return ids, b
}

// rpDrill is a drill-down's JSON.
type rpDrill struct {
	Records []struct {
		Kind   string         `json:"kind"`
		ID     string         `json:"id"`
		Fields map[string]any `json:"fields"`
	} `json:"records"`
}

// rpPairs is query, name and value pairs, as url.Values.
func rpPairs(query []string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(query); i += 2 {
		q.Set(query[i], query[i+1])
	}
	return q
}

// rpLines writes each row as its values of cols joined by "|" (a number
// as a whole number, null as "nil").
func rpLines(rows []map[string]any, cols ...string) []string {
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

// rpWantLines fails t unless got equals want, showing both.
func rpWantLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}
