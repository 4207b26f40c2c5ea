package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
)

const (
	webhooksRead   = "webhooks:read"
	webhooksManage = "webhooks:manage"
)

// webhookFixture is a tenant's webhook subscription and one of its
// deliveries, the victim of the webhooks' isolation matrix.
type webhookFixture struct {
	SubscriptionID, DeliveryID string
	Secret                     string // the subscription's signing secret
	Markers                    []string
}

// webhookProbes lists what a caller tries on victim v's subscription and
// delivery: every operation under /v1/webhooks of the gateway's
// api/openapi.yaml (TestWebhooksE2EProbesCoverRoutes). The routes are the
// gateway's own, so the gateway alone checks the permission: reads
// webhooks:read, changes webhooks:manage. Another tenant's subscription and
// delivery are not found; a list or a create answers the caller's own.
func webhookProbes(v webhookFixture) []probe {
	m := letters(8)
	sub, del := "/v1/webhooks/subscriptions/"+v.SubscriptionID, "/v1/webhooks/deliveries/"+v.DeliveryID
	ifMatch := map[string]string{"If-Match": `"1"`}
	return []probe{
		{name: "list subscriptions", method: "GET", path: "/v1/webhooks/subscriptions?limit=100", gate: webhooksRead, want: 200},
		{name: "create subscription", method: "POST", path: "/v1/webhooks/subscriptions", gate: webhooksManage, want: 201,
			body: map[string]any{"url": "http://127.0.0.1:9/probe/" + m, "description": "Probe " + m, "eventTypes": []string{"dev.rapport.contacts.*"}}},
		{name: "get subscription", method: "GET", path: sub, gate: webhooksRead, want: 404, echoes: true},
		{name: "patch subscription", method: "PATCH", path: sub, header: ifMatch, body: map[string]any{"url": "http://127.0.0.1:9/pwned"}, gate: webhooksManage, want: 404, echoes: true},
		{name: "delete subscription", method: "DELETE", path: sub, header: ifMatch, gate: webhooksManage, want: 404, echoes: true},
		{name: "enable subscription", method: "POST", path: sub + "/enable", gate: webhooksManage, want: 404, echoes: true},
		{name: "rotate the secret", method: "POST", path: sub + "/rotate-secret", gate: webhooksManage, want: 404, echoes: true},
		{name: "ping subscription", method: "POST", path: sub + "/ping", gate: webhooksManage, want: 404, echoes: true},
		{name: "list the subscription's deliveries", method: "GET", path: sub + "/deliveries?limit=100", gate: webhooksRead, want: 404, echoes: true},
		{name: "get delivery", method: "GET", path: del, gate: webhooksRead, want: 404, echoes: true},
		{name: "redeliver", method: "POST", path: del + "/redeliver", gate: webhooksManage, want: 404, echoes: true},
	}
}

// testWebhookIsolation runs every webhook probe as every caller of
// attacker against victim's subscription and delivery: the status wanted,
// a refusal naming the permission missing, and neither the victim's
// markers and secret nor (where the request did not name them) its ids in
// any answer.
func testWebhookIsolation(t *testing.T, st *stack.Stack, attacker []caller, v webhookFixture) {
	secrets := append(slices.Clone(v.Markers), v.Secret)
	for _, c := range attacker {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range webhookProbes(v) {
				t.Run(p.name, func(t *testing.T) {
					res := stack.Do(t, stack.Request{Method: p.method, URL: st.GatewayURL + p.path, Token: c.token, Body: p.body, Header: p.header})
					want, missing := p.wantStatus(c)
					if res.Status != want {
						t.Errorf("status = %d, want %d; body %s", res.Status, want, res.Body)
					} else if missing != "" && !strings.Contains(string(res.Body), missing) {
						t.Errorf("refusal %s does not name the permission missing, %s", res.Body, missing)
					}
					leaks := secrets
					if !p.echoes {
						leaks = append(slices.Clone(secrets), v.SubscriptionID, v.DeliveryID)
					}
					for _, s := range leaks {
						if strings.Contains(strings.ToLower(string(res.Body)), strings.ToLower(s)) {
							t.Errorf("answer leaks %q of the other tenant's webhooks: %s", s, res.Body)
						}
					}
				})
			}
		})
	}
}

// TestWebhooksE2EProbesCoverRoutes holds the webhook probes to the
// gateway's contract: every operation under /v1/webhooks in its
// api/openapi.yaml is exercised by a probe, every probe reaches one, and
// a probe wants webhooks:read of a GET and webhooks:manage of any other
// method, as the API's permissions go. No stack is needed.
func TestWebhooksE2EProbesCoverRoutes(t *testing.T) {
	probes := webhookProbes(webhookFixture{SubscriptionID: ids.New(), DeliveryID: ids.New()})
	for i, op := range gatewayProbeOps(t, "webhooks", "/v1/webhooks/", probes) {
		p := probes[i]
		if want := map[bool]string{true: webhooksRead, false: webhooksManage}[p.method == http.MethodGet]; op != "" && p.gate != want {
			t.Errorf("probe %q (%s) asks %s, want %s", p.name, op, p.gate, want)
		}
	}
}
