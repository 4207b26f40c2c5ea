package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// testAnswers checks what every answer through the gateway carries: errors
// of the services' routers are problem+json (405 with Allow, 404), a NUL in
// a body or a query is a 400 naming the field, and every answer says
// nosniff, authenticated ones no-store.
func testAnswers(t *testing.T, w *world) {
	st, admin := w.st, w.a.tenant.Admin.Token
	t.Run("router errors are problems", func(t *testing.T) {
		for _, tt := range []struct {
			method, path string
			status       int
			typ, allow   string
		}{
			{"PUT", "/v1/contacts", http.StatusMethodNotAllowed, "method-not-allowed", "GET, HEAD, POST"},
			{"GET", "/v1/contacts/" + w.a.fixture.ContactID + "/activities", http.StatusNotFound, "no-such-path", ""},
		} {
			res := stack.Do(t, stack.Request{Method: tt.method, URL: st.GatewayURL + tt.path, Token: admin})
			var p struct{ Type string }
			if res.Status != tt.status || res.Header.Get("Content-Type") != "application/problem+json" ||
				json.Unmarshal(res.Body, &p) != nil || !strings.HasSuffix(p.Type, "/"+tt.typ) {
				t.Errorf("%s %s = %d %s %s, want %d problem+json %s", tt.method, tt.path, res.Status, res.Header.Get("Content-Type"), res.Body, tt.status, tt.typ)
			}
			if got := res.Header.Get("Allow"); got != tt.allow {
				t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
			}
		}
	})
	t.Run("NUL is a named 400", func(t *testing.T) {
		for _, r := range []stack.Request{
			{Method: "POST", URL: st.GatewayURL + "/v1/contacts", Token: admin, Body: map[string]any{"firstName": "Ada\x00"}},
			{Method: "GET", URL: st.GatewayURL + "/v1/contacts?q=%00", Token: admin},
		} {
			res := stack.Do(t, r)
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "U+0000") {
				t.Errorf("%s %s = %d %s, want 400 naming U+0000", r.Method, r.URL, res.Status, res.Body)
			}
		}
	})
	t.Run("nothing is cached or sniffed", func(t *testing.T) {
		for _, tt := range []struct {
			req   stack.Request
			cache string
		}{
			{stack.Request{Method: "GET", URL: st.GatewayURL + "/v1/contacts", Token: admin}, "no-store"},
			{stack.Request{Method: "GET", URL: st.GatewayURL + "/v1/contacts/" + w.a.fixture.ContactID, Token: admin}, "no-store"},
			{stack.Request{Method: "GET", URL: st.GatewayURL + "/v1/users", Token: admin}, "no-store"},
			{stack.Request{Method: "GET", URL: st.GatewayURL + "/v1/contacts"}, "no-store"}, // 401
			{stack.Request{Method: "GET", URL: st.GatewayURL + "/.well-known/jwks.json"}, "public, max-age=300"},
		} {
			res := stack.Do(t, tt.req)
			if got := res.Header.Values("Cache-Control"); !slices.Equal(got, []string{tt.cache}) {
				t.Errorf("GET %s (%d): Cache-Control %q, want %q once", tt.req.URL, res.Status, got, tt.cache)
			}
			if got := res.Header.Values("X-Content-Type-Options"); !slices.Equal(got, []string{"nosniff"}) {
				t.Errorf("GET %s (%d): X-Content-Type-Options %q, want nosniff once", tt.req.URL, res.Status, got)
			}
		}
	})
}
