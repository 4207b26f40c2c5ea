package reporting_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"
)

func TestReportsBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	q := func(kv ...string) string { return "?" + pairs(kv).Encode() }
	for _, c := range []struct {
		path, field string
		mentions    []string
	}{
		{"/v1/reports/nope", "name", []string{"funnel", "forecast"}},
		{"/v1/reports/nope/records" + q("measure", "leads"), "name", []string{"funnel"}},
		{"/v1/reports/funnel" + q("groupBy", "colour"), "groupBy", []string{"owner", "team", "source", "campaign"}},
		{"/v1/reports/funnel" + q("interval", "fortnight"), "interval", []string{"day", "week", "month", "quarter", "year"}},
		{"/v1/reports/forecast" + q("interval", "week"), "interval", []string{"month", "quarter"}},
		{"/v1/reports/funnel" + q("from", "2020-01-01", "to", "2026-01-02", "interval", "day"), "interval", []string{"5 years"}},
		{"/v1/reports/funnel" + q("from", "2000-01-01", "to", "2026-01-01", "interval", "week"), "interval", []string{"1000"}},
		{"/v1/reports/funnel" + q("from", "2026-03-01", "to", "2026-03-01"), "to", []string{"after from"}},
		{"/v1/reports/funnel" + q("from", "2026-04-01", "to", "2026-03-01"), "to", []string{"after from"}},
		{"/v1/reports/funnel" + q("from", "March"), "from", []string{"RFC 3339"}},
		{"/v1/reports/funnel" + q("range", "yesterday"), "range", []string{"last_7_days", "this_quarter"}},
		{"/v1/reports/funnel" + q("range", "this_month", "from", "2026-01-01"), "range", []string{"from or to"}},
		{"/v1/reports/funnel" + q("filter", `{"and":[{"field":"colour","op":"eq","value":"red"}]}`), "filter/and/0/field", nil},
		{"/v1/reports/funnel" + q("filter", `{"field":"source","op":"gt","value":"x"}`), "filter/op", nil},
		{"/v1/reports/funnel" + q("filter", `{"and":[`), "filter", nil},
		{"/v1/reports/forecast" + q("currency", "usd"), "currency", []string{"3 capital letters"}},
		{"/v1/reports/funnel" + q("colour", "red"), "colour", []string{"groupBy", "interval"}},
		{"/v1/reports/funnel/records" + q("period", "2026-01-01", "measure", "height"), "measure", []string{"leads", "winRate"}},
		{"/v1/reports/funnel/records" + q("period", "2026-01-15", "measure", "leads"), "period", []string{"first day"}},
		{"/v1/reports/funnel/records" + q("period", "2026-01-01", "measure", "leads", "limit", "0"), "limit", nil},
	} {
		e.rpBad(t, u, c.path, c.field, c.mentions...)
	}
}

func TestReportsCatalogue(t *testing.T) {
	e := newEnv(t)
	r := e.want(e.do(newUser(uuid.NewString()), http.MethodGet, "/v1/reports", nil), http.StatusOK)
	var body struct {
		Items []struct {
			Name      string              `json:"name"`
			Periodic  bool                `json:"periodic"`
			Intervals []string            `json:"intervals"`
			GroupBys  []string            `json:"groupBys"`
			Extra     map[string][]string `json:"extra"`
			Columns   []struct{ Name string }
			DrillDown bool `json:"drillDown"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.Raw, &body); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range body.Items {
		names = append(names, it.Name)
		switch it.Name {
		case "funnel":
			if !it.Periodic || !slices.Equal(it.GroupBys, []string{"owner", "team", "source", "campaign"}) || len(it.Columns) != 11 || !it.DrillDown {
				t.Errorf("funnel: %+v", it)
			}
		case "forecast":
			if _, ok := it.Extra["currency"]; !ok || !slices.Equal(it.Intervals, []string{"month", "quarter"}) {
				t.Errorf("forecast: %+v", it)
			}
		}
	}
	if !slices.Contains(names, "funnel") || !slices.Contains(names, "forecast") || !slices.IsSorted(names) {
		t.Errorf("catalogue: %v", names)
	}
}
