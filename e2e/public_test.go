package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// testPublicPort checks what the gateway's public port does not serve: its
// metrics (they are on the internal listener). (A route of a service an
// installation does not run answers 501 feature-not-installed: every
// service runs here, and the gateway's proxy tests check that.)
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
}
