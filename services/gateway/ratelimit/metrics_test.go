package ratelimit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/obs"
)

// scrape returns m's metrics in the exposition format.
func scrape(t *testing.T, m *obs.Metrics) string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	b, err := io.ReadAll(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMiddlewareCountsRejections checks each 429 is counted under the limit
// that refused it, and an allowed request under none.
func TestMiddlewareCountsRejections(t *testing.T) {
	m := obs.NewMetrics("gateway")
	h := withPrincipal(Middleware(Config{
		Limiter: NewMemory(),
		Tenant:  Limit{Rate: 0.001, Burst: 3},
		APIKey:  Limit{Rate: 0.001, Burst: 1},
		Metrics: obs.NewGatewayMetrics(m),
	})(okHandler()))
	send := func(apiKey string) int {
		r := httptest.NewRequest(http.MethodGet, "/v1/contacts", nil)
		r.Header.Set("X-Test-Tenant", tenantA)
		if apiKey != "" {
			r.Header.Set("Authorization", "Bearer "+apiKey)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	// The key's one request, its refusal, then the tenant's two left and
	// its refusal.
	for i, c := range []struct {
		apiKey string
		want   int
	}{{"rpk_one", 204}, {"rpk_one", 429}, {"", 204}, {"", 204}, {"", 429}} {
		if got := send(c.apiKey); got != c.want {
			t.Fatalf("request %d: status %d, want %d", i, got, c.want)
		}
	}
	body := scrape(t, m)
	for _, want := range []string{
		`rapport_gateway_rate_limited_total{kind="api_key",service="gateway"} 1`,
		`rapport_gateway_rate_limited_total{kind="tenant",service="gateway"} 1`,
		`rapport_gateway_rate_limited_total{kind="login_throttle",service="gateway"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}
