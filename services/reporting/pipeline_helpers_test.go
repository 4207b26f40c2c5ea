package reporting_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The helpers of the pipeline, pipeline-stages, lead-sources and
// campaign-roi reports' tests: a report or a drill-down through the
// route, its rows written as lines to compare with figures computed by
// hand.

// plBody is a report's JSON as these tests read it.
type plBody struct {
	Report   string           `json:"report"`
	GroupBy  string           `json:"groupBy"`
	Currency *string          `json:"currency"`
	Rows     []map[string]any `json:"rows"`
}

// plRecord is a record of a drill-down.
type plRecord struct {
	Kind   string         `json:"kind"`
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	Fields map[string]any `json:"fields"`
}

// plGet gets path?query (name, value pairs) as u and decodes its JSON
// into out; the request must succeed.
func (e *env) plGet(u user, path string, out any, query ...string) {
	e.t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(query); i += 2 {
		q.Set(query[i], query[i+1])
	}
	r := e.want(e.do(u, http.MethodGet, path+"?"+q.Encode(), nil), http.StatusOK)
	if err := json.Unmarshal(r.Raw, out); err != nil {
		e.t.Fatalf("%s: %v\n%s", path, err, r.Raw)
	}
}

// plReport gets the report name as u with query.
func (e *env) plReport(u user, name string, query ...string) plBody {
	e.t.Helper()
	var b plBody
	e.plGet(u, "/v1/reports/"+name, &b, query...)
	return b
}

// plRecords gets the drill-down of the report name as u with query and
// returns its records' ids in order and the records.
func (e *env) plRecords(u user, name string, query ...string) ([]string, []plRecord) {
	e.t.Helper()
	var b struct {
		Records []plRecord `json:"records"`
	}
	e.plGet(u, "/v1/reports/"+name+"/records", &b, query...)
	ids := []string{}
	for _, r := range b.Records {
		ids = append(ids, r.ID)
	}
	return ids, b.Records
}

// plLines writes each row as its values of cols joined by "|" (a whole
// number without decimals, null as "nil").
func plLines(rows []map[string]any, cols ...string) []string {
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

// plWant fails t unless got equals want, showing both.
func plWant(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// plSorted returns ids sorted (a drill-down lists its records by id).
func plSorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// plDay is midnight UTC of 2026-m-d (m may pass 12 or go below 1).
func plDay(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

// plDays is n days.
func plDays(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// plRow returns the row of rows whose group is group; the test fails
// without one.
func plRow(t *testing.T, rows []map[string]any, group string) map[string]any {
	t.Helper()
	for _, r := range rows {
		if r["group"] == group {
			return r
		}
	}
	t.Fatalf("no row of group %q in %v", group, rows)
	return nil
}

// plItoa writes n in decimal.
func plItoa(n int64) string { return strconv.FormatInt(n, 10) }
