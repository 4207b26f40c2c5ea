package reporting_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

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
