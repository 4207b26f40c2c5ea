package identity

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// wantCounts checks the gateway's metrics show each series with its value.
func (e *env) wantCounts(t *testing.T, want ...string) {
	t.Helper()
	w := httptest.NewRecorder()
	e.metrics.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	b, err := io.ReadAll(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range want {
		if !strings.Contains(string(b), s+"\n") {
			t.Errorf("metrics lack %s", s)
		}
	}
}

// TestLoginMetrics checks password logins are counted by result, the
// throttle's refusals as rate-limit rejections, and every request with an
// API key as an api_key sign-in by result.
func TestLoginMetrics(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	login := func(password string) int {
		got, _, _ := e.c.do(t, "POST", "/v1/auth/login", nil, map[string]string{
			"tenant": "acme", "email": "admin@acme.test", "password": password})
		return got
	}
	if got := login("admin-password-1"); got != 200 {
		t.Fatalf("login: status %d, want 200", got)
	}
	// Six failures lock the account; the seventh attempt is throttled.
	for i := range 6 {
		if got := login("wrong-password-1"); got != 401 {
			t.Fatalf("failure %d: status %d, want 401", i+1, got)
		}
	}
	if got := login("admin-password-1"); got != 429 {
		t.Fatalf("locked login: status %d, want 429", got)
	}
	var key CreatedAPIKey
	e.c.call(t, "POST", "/v1/api-keys", bearer(admin.AccessToken), map[string]any{
		"name": "sync", "scopes": []string{"users:read"}}, 201, &key)
	e.c.call(t, "GET", "/v1/me", bearer(key.Secret), nil, 200, nil)
	e.c.call(t, "GET", "/v1/me", http.Header{"X-API-Key": {key.Secret}}, nil, 200, nil)
	e.c.call(t, "GET", "/v1/me", bearer(key.Secret[:len(key.Secret)-2]+"xx"), nil, 401, nil)

	// The tenant's admin accepted the invitation: that is not a login.
	e.wantCounts(t,
		`rapport_gateway_logins_total{method="password",result="success",service="gateway"} 1`,
		`rapport_gateway_logins_total{method="password",result="failure",service="gateway"} 7`,
		`rapport_gateway_rate_limited_total{kind="login_throttle",service="gateway"} 1`,
		`rapport_gateway_logins_total{method="api_key",result="success",service="gateway"} 2`,
		`rapport_gateway_logins_total{method="api_key",result="failure",service="gateway"} 1`,
		`rapport_gateway_logins_total{method="sso",result="failure",service="gateway"} 0`,
	)
}
