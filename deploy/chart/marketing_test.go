package chart

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// TestMarketingEnv: marketing's links point at the gateway's public URL
// (MARKETING_PUBLIC_URL) and are signed with MARKETING_LINK_KEY from its
// own Secret (generated in dev mode); with `smtp` (ci/all-values.yaml) it
// mails through the same relay (MARKETING_SMTP_URL from its Secret,
// MARKETING_MAIL_FROM from marketing.from, else smtp.from) and with marketing.sms texts through the provider
// (MARKETING_SMS_URL, MARKETING_SMS_TOKEN from its Secret), its
// NetworkPolicy reaching both; with marketing.bounces it listens for
// bounces and complaints (MARKETING_BOUNCE_SMTP_ADDR, a named port) behind
// a Service of its own, its NetworkPolicy letting the source ranges in on
// it. Without them (ci/minimal-values.yaml) there is no relay, no
// provider, no listener, and no way out to either.
func TestMarketingEnv(t *testing.T) {
	t.Run("all values", func(t *testing.T) {
		objs := renderCI(t, "ci/all-values.yaml")
		ctr := serviceContainer(t, objs, "marketing")
		for name, want := range map[string]string{"MARKETING_PUBLIC_URL": "https://crm.example.com", "MARKETING_MAIL_FROM": "News <news@example.com>",
			"MARKETING_SMS_URL": "https://sms.example.com/api"} {
			if got := envValue(ctr, name); got != want {
				t.Errorf("marketing's %s = %q, want %q", name, got, want)
			}
		}
		for name, want := range map[string][2]string{"MARKETING_LINK_KEY": {"rapport-marketing", "MARKETING_LINK_KEY"},
			"MARKETING_SMTP_URL": {"", "GATEWAY_SMTP_URL"}, "MARKETING_SMS_TOKEN": {"rapport-marketing-sms", "MARKETING_SMS_TOKEN"}} {
			if ref := envSecret(ctr, name); ref == nil || ref.Key != want[1] || want[0] != "" && ref.Name != want[0] {
				t.Errorf("marketing's %s is %+v, want the key %s of Secret %q", name, ref, want[1], want[0])
			}
		}
		if got := envValue(ctr, "MARKETING_BOUNCE_SMTP_ADDR"); got != ":2526" {
			t.Errorf("marketing's MARKETING_BOUNCE_SMTP_ADDR = %q, want :2526", got)
		}
		if !slices.ContainsFunc(ctr.Ports, func(p corev1.ContainerPort) bool { return p.Name == "smtp" && p.ContainerPort == 2526 }) {
			t.Errorf("marketing's container ports %+v have no smtp on 2526", ctr.Ports)
		}
		if svc := smtpService(t, objs, "marketing"); svc == nil || svc.Spec.Type != corev1.ServiceTypeClusterIP || len(svc.Spec.Ports) != 1 ||
			svc.Spec.Ports[0].Port != 2526 || svc.Spec.Ports[0].TargetPort.StrVal != "smtp" || svc.Spec.Selector["app.kubernetes.io/name"] != "marketing" {
			t.Errorf("marketing-smtp Service = %+v, want ClusterIP on 2526 to marketing's smtp port", svc)
		}
		pol := servicePolicy(t, objs, "marketing")
		if !slices.ContainsFunc(pol.Spec.Ingress, func(r networkingv1.NetworkPolicyIngressRule) bool {
			return len(r.Ports) == 1 && r.Ports[0].Port.IntValue() == 2526 && len(r.From) == 1 && r.From[0].IPBlock != nil &&
				r.From[0].IPBlock.CIDR == "192.0.2.0/24"
		}) {
			t.Errorf("marketing's NetworkPolicy lets no bounces in from the source ranges: %+v", pol.Spec.Ingress)
		}
		for _, want := range []struct {
			port int
			cidr string
		}{{587, ""}, {443, "198.51.100.0/24"}} {
			if !slices.ContainsFunc(pol.Spec.Egress, func(r networkingv1.NetworkPolicyEgressRule) bool {
				return slices.ContainsFunc(r.Ports, func(p networkingv1.NetworkPolicyPort) bool { return p.Port.IntValue() == want.port }) &&
					(want.cidr == "" || len(r.To) == 1 && r.To[0].IPBlock != nil && r.To[0].IPBlock.CIDR == want.cidr)
			}) {
				t.Errorf("marketing's NetworkPolicy does not reach port %d %s: %+v", want.port, want.cidr, pol.Spec.Egress)
			}
		}
	})
	t.Run("minimal values", func(t *testing.T) {
		objs := renderCI(t, "ci/minimal-values.yaml")
		ctr := serviceContainer(t, objs, "marketing")
		for _, name := range []string{"MARKETING_SMTP_URL", "MARKETING_MAIL_FROM", "MARKETING_SMS_URL", "MARKETING_SMS_TOKEN", "MARKETING_BOUNCE_SMTP_ADDR"} {
			if hasEnv(ctr, name) {
				t.Errorf("marketing has %s without smtp, marketing.sms or marketing.bounces", name)
			}
		}
		if smtpService(t, objs, "marketing") != nil {
			t.Error("a marketing-smtp Service without marketing.bounces")
		}
		ref := envSecret(ctr, "MARKETING_LINK_KEY")
		if ref == nil || !secretHasKey(objs, ref.Name, ref.Key) {
			t.Errorf("marketing's MARKETING_LINK_KEY is %+v, want a key of the Secret the chart makes", ref)
		}
		for _, r := range servicePolicy(t, objs, "marketing").Spec.Egress {
			if slices.ContainsFunc(r.Ports, func(p networkingv1.NetworkPolicyPort) bool {
				return p.Port.IntValue() == 587 || p.Port.IntValue() == 443
			}) {
				t.Errorf("marketing's NetworkPolicy reaches out without smtp or marketing.sms: %+v", r)
			}
		}
	})
}

// secretHasKey reports whether objs hold a Secret called name with key in
// its data.
func secretHasKey(objs []*unstructured.Unstructured, name, key string) bool {
	for _, o := range charttest.Find(objs, "Secret") {
		if o.GetName() == name {
			v, ok, _ := unstructured.NestedString(o.Object, "data", key)
			return ok && v != ""
		}
	}
	return false
}
