package reporting_test

import (
	"encoding/json"
	"net/http"
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
	r := e.want(e.do(u, http.MethodGet, "/v1/reports/"+name+"?"+pairs(query).Encode(), nil), http.StatusOK)
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
