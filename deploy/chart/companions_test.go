package chart

import (
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
	"github.com/rapport-crm/rapport/libs/registry"
)

// TestDeploymentCompanions: every Deployment has a PodDisruptionBudget and
// a NetworkPolicy selecting its pods, and a HorizontalPodAutoscaler
// targeting it exactly when its values enable autoscaling.
func TestDeploymentCompanions(t *testing.T) {
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			objs := renderCI(t, name)
			vals := charttest.Values(t, charttest.ValuesFile(t, name))
			pdbs, policies, hpas := companions(t, objs)
			for _, d := range deployments(t, objs) {
				pods := labels.Set(d.Spec.Template.Labels)
				if !anySelects(pods, pdbs) {
					t.Errorf("Deployment %s: no PodDisruptionBudget selects its pods", d.Name)
				}
				if !anySelects(pods, policies) {
					t.Errorf("Deployment %s: no NetworkPolicy selects its pods", d.Name)
				}
				program := d.Labels[componentLabel]
				want := autoscalingEnabled(vals, program)
				got := hpas[d.Name]
				if want && !got {
					t.Errorf("Deployment %s: autoscaling is enabled in the values but no HorizontalPodAutoscaler targets it", d.Name)
				}
				if !want && got {
					t.Errorf("Deployment %s: a HorizontalPodAutoscaler targets it but its values do not enable autoscaling", d.Name)
				}
				if want && d.Spec.Replicas != nil {
					t.Errorf("Deployment %s: sets replicas %d although an HPA owns them (each upgrade would reset the scale)", d.Name, *d.Spec.Replicas)
				}
			}
		})
	}
}

// companions returns the pod selectors of the PDBs and NetworkPolicies, and
// the Deployments the HPAs target, by name.
func companions(t *testing.T, objs []*unstructured.Unstructured) (pdbs, policies []*metav1.LabelSelector, hpas map[string]bool) {
	t.Helper()
	for _, o := range charttest.Find(objs, "PodDisruptionBudget") {
		p := &policyv1.PodDisruptionBudget{}
		typed(t, o, p)
		pdbs = append(pdbs, p.Spec.Selector)
	}
	for _, o := range charttest.Find(objs, "NetworkPolicy") {
		p := &networkingv1.NetworkPolicy{}
		typed(t, o, p)
		policies = append(policies, &p.Spec.PodSelector)
	}
	hpas = map[string]bool{}
	for _, o := range charttest.Find(objs, "HorizontalPodAutoscaler") {
		h := &autoscalingv2.HorizontalPodAutoscaler{}
		typed(t, o, h)
		if h.Spec.ScaleTargetRef.Kind == "Deployment" {
			hpas[h.Spec.ScaleTargetRef.Name] = true
		}
	}
	return pdbs, policies, hpas
}

// anySelects says whether one of selectors selects pods.
func anySelects(pods labels.Set, selectors []*metav1.LabelSelector) bool {
	for _, s := range selectors {
		sel, err := metav1.LabelSelectorAsSelector(s)
		if err == nil && s != nil && sel.Matches(pods) {
			return true
		}
	}
	return false
}

// autoscalingEnabled reads <program>.autoscaling.enabled (the gateway) or
// services.<program>.autoscaling.enabled from vals.
func autoscalingEnabled(vals map[string]any, program string) bool {
	path := []string{"services", program, "autoscaling", "enabled"}
	if program == registry.Gateway {
		path = path[1:]
	}
	v, _ := dig(vals, path...).(bool)
	return v
}

// dig follows keys through nested maps; nil when one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// TestProductionRendersNoSecret: in production mode every secret is an
// existingSecret reference, so the chart renders no Secret at all (none
// from values, none generated).
func TestProductionRendersNoSecret(t *testing.T) {
	for _, s := range charttest.Find(renderCI(t, "ci/production-values.yaml"), "Secret") {
		t.Errorf("production mode renders Secret %s (keys %v)", s.GetName(), keys(s))
	}
}

// keys lists the data keys of a Secret, for a report without its values.
func keys(s *unstructured.Unstructured) []string {
	var out []string
	for _, field := range []string{"data", "stringData"} {
		m, _, _ := unstructured.NestedMap(s.Object, field)
		for k := range m {
			out = append(out, k)
		}
	}
	return out
}

// TestEveryBuiltServiceCharted: each built service of libs/registry (and the
// gateway) has an entry in values.yaml's services, a Deployment and a
// migration Job with the default values; and every entry of services is a
// service of the registry. A new service that forgets the chart fails here.
func TestEveryBuiltServiceCharted(t *testing.T) {
	objs := renderCI(t, "ci/minimal-values.yaml")
	defaults := charttest.Values(t)
	services, _ := defaults["services"].(map[string]any)
	deployed := map[string]bool{}
	for _, d := range deployments(t, objs) {
		deployed[d.Labels[componentLabel]] = true
	}
	migrated := map[string]bool{}
	for _, j := range jobs(t, objs) {
		migrated[j.Labels["rapport.dev/program"]] = true
	}
	built := registry.Default().Built()
	for _, s := range built {
		if !s.Entry {
			if _, ok := services[s.Name]; !ok {
				t.Errorf("service %s (built in libs/registry) has no entry services.%s in values.yaml", s.Name, s.Name)
			}
		}
		if !deployed[s.Name] {
			t.Errorf("service %s (built in libs/registry) has no Deployment", s.Name)
		}
		if !migrated[s.Name] {
			t.Errorf("service %s (built in libs/registry) has no migration Job (label rapport.dev/program=%s)", s.Name, s.Name)
		}
	}
	for name := range services {
		if s, ok := registry.Default().Lookup(name); !ok || s.Entry {
			t.Errorf("values.yaml services.%s: not a service of libs/registry", name)
		} else if !s.Built {
			t.Errorf("values.yaml services.%s: libs/registry does not mark it built", name)
		}
	}
	if len(built) < 2 {
		t.Fatalf("libs/registry lists %d built programs; the test expects the gateway and services", len(built))
	}
}
