package chart

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// optionalKinds are what ci/all-values.yaml turns on, so its dry run
// checks them against their real schemas.
var optionalKinds = []string{"Ingress", "HTTPRoute", "Certificate", "HorizontalPodAutoscaler",
	"ServiceMonitor", "PrometheusRule", "ConfigMap"}

// TestDryRunApply renders the chart with each ci values file and
// server-side applies every object (hooks too) to envtest with dryRun=All
// and strict field validation, with the optional integrations' CRDs loaded:
// a field the API does not know, a wrong type or a value the server's
// validation refuses fails here.
func TestDryRunApply(t *testing.T) {
	cfg := charttest.APIServer(t)
	for _, name := range ciValues {
		t.Run(name, func(t *testing.T) {
			objs := renderCI(t, name)
			if len(objs) == 0 {
				t.Fatal("the chart rendered no object")
			}
			if name == "ci/all-values.yaml" {
				for _, kind := range optionalKinds {
					if len(charttest.Find(objs, kind)) == 0 {
						t.Errorf("every option on, yet no %s rendered: the dry run does not check it", kind)
					}
				}
			}
			charttest.DryRunApply(t, cfg, objs)
		})
	}
}

// TestDryRunIsStrict: the dry run refuses what it must, so a pass above
// means something: an unknown field in a built-in kind and in a CRD's
// kind, and a wrong type in a CRD's kind, each fail naming the field.
func TestDryRunIsStrict(t *testing.T) {
	cfg := charttest.APIServer(t)
	objs := renderCI(t, "ci/all-values.yaml")
	cases := []struct {
		kind, field string
		path        []string
		value       any
	}{
		{"Deployment", "replicaz", []string{"spec", "replicaz"}, int64(2)},
		{"ServiceMonitor", "endpointz", []string{"spec", "endpointz"}, []any{}},
		{"ServiceMonitor", "spec.endpoints", []string{"spec", "endpoints"}, "http"},
	}
	for _, c := range cases {
		t.Run(c.kind+"."+c.field, func(t *testing.T) {
			found := charttest.Find(objs, c.kind)
			if len(found) == 0 {
				t.Fatalf("no %s rendered", c.kind)
			}
			bad := found[0].DeepCopy()
			if err := unstructured.SetNestedField(bad.Object, c.value, c.path...); err != nil {
				t.Fatal(err)
			}
			errs := charttest.DryRun(cfg, []*unstructured.Unstructured{bad})
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), c.field) {
				t.Errorf("dry run of %s with %s: errors %v, want one naming %s", c.kind, strings.Join(c.path, "."), errs, c.field)
			}
		})
	}
}
