package obs_test

import (
	"testing"

	"github.com/rapport-crm/rapport/libs/obs"
)

// TestGatewayMetrics checks every series starts at zero and counts what it
// is told, and that a nil *GatewayMetrics is a no-op.
func TestGatewayMetrics(t *testing.T) {
	m := obs.NewMetrics("gateway")
	g := obs.NewGatewayMetrics(m)
	for _, kind := range []string{obs.RateLimitTenant, obs.RateLimitAPIKey, obs.RateLimitLoginThrottle} {
		if got := gathered(t, m, "rapport_gateway_rate_limited_total", map[string]string{"kind": kind, "service": "gateway"}); got != 0 {
			t.Errorf("rate_limited{kind=%q} = %v before any rejection, want 0", kind, got)
		}
	}
	g.RateLimited(obs.RateLimitAPIKey)
	g.RateLimited(obs.RateLimitAPIKey)
	g.Login(obs.LoginPassword, true)
	g.Login(obs.LoginSSO, false)
	if got := gathered(t, m, "rapport_gateway_rate_limited_total", map[string]string{"kind": "api_key"}); got != 2 {
		t.Errorf("rate_limited{kind=api_key} = %v, want 2", got)
	}
	for _, c := range []struct {
		method, result string
		want           float64
	}{{"password", "success", 1}, {"password", "failure", 0}, {"sso", "failure", 1}, {"api_key", "success", 0}} {
		if got := gathered(t, m, "rapport_gateway_logins_total", map[string]string{"method": c.method, "result": c.result}); got != c.want {
			t.Errorf("logins{method=%q,result=%q} = %v, want %v", c.method, c.result, got, c.want)
		}
	}
	var none *obs.GatewayMetrics
	none.RateLimited(obs.RateLimitTenant)
	none.Login(obs.LoginPassword, true)
}
