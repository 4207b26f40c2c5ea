package chart

import (
	"slices"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
)

// TestReportingEnv: with `smtp` (ci/all-values.yaml) reporting mails its
// scheduled reports through the same relay (REPORTING_SMTP_URL from the
// smtp Secret, REPORTING_MAIL_FROM from reporting.from, else smtp.from),
// its NetworkPolicy reaching it, and REPORTING_TRAIN_EVERY comes through
// its extraEnv; without `smtp` (ci/minimal-values.yaml) it has neither
// variable and no way out to a relay.
func TestReportingEnv(t *testing.T) {
	t.Run("all values", func(t *testing.T) {
		objs := renderCI(t, "ci/all-values.yaml")
		ctr := serviceContainer(t, objs, "reporting")
		for name, want := range map[string]string{"REPORTING_MAIL_FROM": "Reports <reports@example.com>", "REPORTING_TRAIN_EVERY": "12h"} {
			if got := envValue(ctr, name); got != want {
				t.Errorf("reporting's %s = %q, want %q", name, got, want)
			}
		}
		if ref := envSecret(ctr, "REPORTING_SMTP_URL"); ref == nil || ref.Key != "GATEWAY_SMTP_URL" {
			t.Errorf("reporting's REPORTING_SMTP_URL is %+v, want the smtp Secret's GATEWAY_SMTP_URL", ref)
		}
		pol := servicePolicy(t, objs, "reporting")
		if !slices.ContainsFunc(pol.Spec.Egress, func(r networkingv1.NetworkPolicyEgressRule) bool {
			return slices.ContainsFunc(r.Ports, func(p networkingv1.NetworkPolicyPort) bool { return p.Port.IntValue() == 587 })
		}) {
			t.Errorf("reporting's NetworkPolicy does not reach the SMTP relay: %+v", pol.Spec.Egress)
		}
	})
	t.Run("minimal values", func(t *testing.T) {
		objs := renderCI(t, "ci/minimal-values.yaml")
		ctr := serviceContainer(t, objs, "reporting")
		for _, name := range []string{"REPORTING_SMTP_URL", "REPORTING_MAIL_FROM"} {
			if hasEnv(ctr, name) {
				t.Errorf("reporting has %s without smtp", name)
			}
		}
		for _, r := range servicePolicy(t, objs, "reporting").Spec.Egress {
			if slices.ContainsFunc(r.Ports, func(p networkingv1.NetworkPolicyPort) bool { return p.Port.IntValue() == 587 }) {
				t.Errorf("reporting's NetworkPolicy reaches out without smtp: %+v", r)
			}
		}
	})
}
