package chart

import (
	"slices"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
)

// TestWebhookEgress: the gateway's NetworkPolicy lets its webhook
// deliveries out on 443 to every public address, IPv4 and IPv6, with the
// private, loopback, link-local and CGNAT ranges excepted as its SSRF
// guard refuses them, and the exceptions of each family under its own
// block (Kubernetes refuses an exception outside its cidr).
func TestWebhookEgress(t *testing.T) {
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			pol := servicePolicy(t, renderCI(t, name), "gateway")
			i := slices.IndexFunc(pol.Spec.Egress, func(r networkingv1.NetworkPolicyEgressRule) bool {
				return len(r.To) == 2 && r.To[0].IPBlock != nil && r.To[0].IPBlock.CIDR == "0.0.0.0/0"
			})
			if i < 0 {
				t.Fatalf("no webhook egress to 0.0.0.0/0 in %+v", pol.Spec.Egress)
			}
			rule := pol.Spec.Egress[i]
			if len(rule.Ports) != 1 || rule.Ports[0].Port.IntValue() != 443 {
				t.Errorf("webhook egress ports = %+v, want 443", rule.Ports)
			}
			v4, v6 := rule.To[0].IPBlock, rule.To[1].IPBlock
			for _, want := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8", "100.64.0.0/10"} {
				if !slices.Contains(v4.Except, want) {
					t.Errorf("IPv4 webhook egress excepts %v, not %s", v4.Except, want)
				}
			}
			if v6 == nil || v6.CIDR != "::/0" || !slices.Equal(v6.Except, []string{"fc00::/7", "fe80::/10", "::1/128"}) {
				t.Errorf("IPv6 webhook egress = %+v", v6)
			}
		})
	}
}
