package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// testPublicPort checks what the gateway's public port does not serve: its
// metrics (they are on the internal listener), and the routes of services
// this installation does not run (reporting: not installed, not an outage).
func testPublicPort(t *testing.T, w *world) {
	st, admin := w.st, w.a.tenant.Admin.Token
	t.Run("metrics are not public", func(t *testing.T) {
		for _, token := range []string{"", admin} {
			res := stack.Do(t, stack.Request{Method: "GET", URL: st.GatewayURL + "/metrics", Token: token})
			if res.Status != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("public GET /metrics (token %v) = %d %s, want 404 problem+json", token != "", res.Status, res.Header.Get("Content-Type"))
			}
		}
		res := stack.Do(t, stack.Request{Method: "GET", URL: st.MetricsURL + "/metrics"})
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), "rapport_http_request_duration_seconds") {
			t.Errorf("GET /metrics on the metrics listener = %d, want 200 with the request durations", res.Status)
		}
	})
	t.Run("a service not installed is 501", func(t *testing.T) {
		for _, path := range []string{"/v1/reports", "/v1/reports/1"} {
			res := stack.Do(t, stack.Request{Method: "GET", URL: st.GatewayURL + path, Token: admin})
			var p struct{ Type, Detail string }
			if err := json.Unmarshal(res.Body, &p); err != nil || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("GET %s = %d %s %s, want problem+json", path, res.Status, res.Header.Get("Content-Type"), res.Body)
			}
			if res.Status != http.StatusNotImplemented || !strings.HasSuffix(p.Type, "/feature-not-installed") || !strings.Contains(p.Detail, "reporting") {
				t.Errorf("GET %s = %d %s %q, want 501 feature-not-installed naming reporting", path, res.Status, p.Type, p.Detail)
			}
		}
	})
}
