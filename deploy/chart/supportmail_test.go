package chart

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// TestSupportMail: with supportMail.inbound (ci/all-values.yaml) support's
// container listens for SMTP on the port (SUPPORT_SMTP_ADDR and a named
// port), a Service of its own of the type asked for, limited to the source
// ranges, leads to it, and support's NetworkPolicy lets the ranges in on it;
// with `smtp` set support sends through the same relay (SUPPORT_SMTP_URL from
// its Secret, SUPPORT_MAIL_FROM) and may reach it. Without either
// (ci/minimal-values.yaml) there is no listener, no Service and no relay.
func TestSupportMail(t *testing.T) {
	t.Run("all values", func(t *testing.T) {
		objs := renderCI(t, "ci/all-values.yaml")
		ctr := supportContainer(t, objs)
		for name, want := range map[string]string{"SUPPORT_SMTP_ADDR": ":2525", "SUPPORT_MAIL_FROM": "Support <support@example.com>"} {
			if got := envValue(ctr, name); got != want {
				t.Errorf("support's %s = %q, want %q", name, got, want)
			}
		}
		if ref := envSecret(ctr, "SUPPORT_SMTP_URL"); ref == nil || ref.Key != "GATEWAY_SMTP_URL" {
			t.Errorf("support's SUPPORT_SMTP_URL is %+v, want the smtp Secret's GATEWAY_SMTP_URL", ref)
		}
		if !slices.ContainsFunc(ctr.Ports, func(p corev1.ContainerPort) bool { return p.Name == "smtp" && p.ContainerPort == 2525 }) {
			t.Errorf("support's container ports %+v have no smtp on 2525", ctr.Ports)
		}
		svc := smtpService(t, objs, "support")
		if svc == nil {
			t.Fatal("no support-smtp Service")
		}
		if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || !slices.Equal(svc.Spec.LoadBalancerSourceRanges, []string{"203.0.113.0/24"}) ||
			len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 2525 || svc.Spec.Ports[0].TargetPort.StrVal != "smtp" {
			t.Errorf("support-smtp Service spec = %+v", svc.Spec)
		}
		if svc.Annotations["service.beta.kubernetes.io/aws-load-balancer-type"] != "nlb" {
			t.Errorf("support-smtp Service annotations = %v", svc.Annotations)
		}
		pol := supportPolicy(t, objs)
		if !slices.ContainsFunc(pol.Spec.Ingress, func(r networkingv1.NetworkPolicyIngressRule) bool {
			return len(r.Ports) == 1 && r.Ports[0].Port.IntValue() == 2525 && len(r.From) == 1 && r.From[0].IPBlock != nil &&
				r.From[0].IPBlock.CIDR == "203.0.113.0/24"
		}) {
			t.Errorf("support's NetworkPolicy lets no SMTP in from the source ranges: %+v", pol.Spec.Ingress)
		}
		if !slices.ContainsFunc(pol.Spec.Egress, func(r networkingv1.NetworkPolicyEgressRule) bool {
			return slices.ContainsFunc(r.Ports, func(p networkingv1.NetworkPolicyPort) bool { return p.Port.IntValue() == 587 })
		}) {
			t.Errorf("support's NetworkPolicy does not reach the SMTP relay: %+v", pol.Spec.Egress)
		}
	})
	t.Run("minimal values", func(t *testing.T) {
		objs := renderCI(t, "ci/minimal-values.yaml")
		ctr := supportContainer(t, objs)
		for _, name := range []string{"SUPPORT_SMTP_ADDR", "SUPPORT_SMTP_URL", "SUPPORT_MAIL_FROM"} {
			if hasEnv(ctr, name) {
				t.Errorf("support has %s without supportMail or smtp", name)
			}
		}
		if smtpService(t, objs, "support") != nil {
			t.Error("a support-smtp Service without supportMail.inbound")
		}
	})
}

// serviceContainer returns the container of the Deployment of service.
func serviceContainer(t *testing.T, objs []*unstructured.Unstructured, service string) corev1.Container {
	t.Helper()
	i := slices.IndexFunc(deployments(t, objs), func(d *appsv1.Deployment) bool { return d.Labels[componentLabel] == service })
	if i < 0 {
		t.Fatalf("no %s Deployment", service)
	}
	return deployments(t, objs)[i].Spec.Template.Spec.Containers[0]
}

// supportContainer returns the container of support's Deployment.
func supportContainer(t *testing.T, objs []*unstructured.Unstructured) corev1.Container {
	t.Helper()
	return serviceContainer(t, objs, "support")
}

// smtpService returns the Service named …-<service>-smtp, or nil.
func smtpService(t *testing.T, objs []*unstructured.Unstructured, service string) *corev1.Service {
	t.Helper()
	for _, o := range charttest.Find(objs, "Service") {
		if strings.HasSuffix(o.GetName(), "-"+service+"-smtp") {
			s := &corev1.Service{}
			typed(t, o, s)
			return s
		}
	}
	return nil
}

// servicePolicy returns the NetworkPolicy of service.
func servicePolicy(t *testing.T, objs []*unstructured.Unstructured, service string) *networkingv1.NetworkPolicy {
	t.Helper()
	for _, o := range charttest.Find(objs, "NetworkPolicy") {
		if o.GetLabels()[componentLabel] == service {
			p := &networkingv1.NetworkPolicy{}
			typed(t, o, p)
			return p
		}
	}
	t.Fatalf("no NetworkPolicy of %s", service)
	return nil
}

// supportPolicy returns support's NetworkPolicy.
func supportPolicy(t *testing.T, objs []*unstructured.Unstructured) *networkingv1.NetworkPolicy {
	t.Helper()
	return servicePolicy(t, objs, "support")
}

// envValue returns the literal value of the variable name of c.
func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// envSecret returns the Secret reference of the variable name of c, or nil.
func envSecret(c corev1.Container, name string) *corev1.SecretKeySelector {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil {
			return e.ValueFrom.SecretKeyRef
		}
	}
	return nil
}
