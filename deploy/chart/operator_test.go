package chart

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// tenantCRD is the file name of the Tenant CRD in operator/config/crd/bases
// and in the chart's files/crds.
const tenantCRD = "crm.rapport.dev_tenants.yaml"

// TestTenantCRDIsTheOperators: the chart's copy of the Tenant CRD is
// byte-identical to the operator's generated one, and the CRD the chart
// renders has the same spec.
func TestTenantCRDIsTheOperators(t *testing.T) {
	root := charttest.RepoRoot(t)
	want, err := os.ReadFile(filepath.Join(root, "operator", "config", "crd", "bases", tenantCRD))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(charttest.ChartDir(t), "files", "crds", tenantCRD))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("charts/rapport/files/crds/%s differs from operator/config/crd/bases/%s: copy it again", tenantCRD, tenantCRD)
	}
	var wantCRD apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(want, &wantCRD); err != nil {
		t.Fatal(err)
	}
	crds := charttest.Find(renderCI(t, "ci/minimal-values.yaml"), "CustomResourceDefinition")
	if len(crds) != 1 {
		t.Fatalf("the chart renders %d CRDs, want the Tenant CRD alone", len(crds))
	}
	var gotCRD apiextensionsv1.CustomResourceDefinition
	typed(t, crds[0], &gotCRD)
	if gotCRD.Name != wantCRD.Name || !reflect.DeepEqual(gotCRD.Spec, wantCRD.Spec) {
		t.Errorf("the rendered CRD %s differs from the operator's %s", gotCRD.Name, wantCRD.Name)
	}
	if gotCRD.Annotations["helm.sh/resource-policy"] != "keep" {
		t.Errorf("the rendered CRD lacks helm.sh/resource-policy: keep (an uninstall would delete every Tenant)")
	}
}

// TestOperatorRBACIsTheOperators: the operator's ClusterRole and its
// leader-election Role in the chart grant exactly what
// operator/config/rbac/role.yaml (generated from the controller's
// +kubebuilder:rbac markers) and leader_election_role.yaml grant.
func TestOperatorRBACIsTheOperators(t *testing.T) {
	objs := renderCI(t, "ci/minimal-values.yaml")
	dir := filepath.Join(charttest.RepoRoot(t), "operator", "config", "rbac")
	for _, c := range []struct{ kind, file, suffix string }{
		{"ClusterRole", "role.yaml", "-operator"},
		{"Role", "leader_election_role.yaml", "-operator-leader-election"},
	} {
		data, err := os.ReadFile(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		var want rbacv1.ClusterRole
		if err := yaml.Unmarshal(data, &want); err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		got := findSuffix(charttest.Find(objs, c.kind), c.suffix)
		if got == nil {
			t.Errorf("the chart renders no %s named *%s", c.kind, c.suffix)
			continue
		}
		var role rbacv1.ClusterRole
		typed(t, got, &role)
		g, w := grants(role.Rules), grants(want.Rules)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s %s grants\n%s\nbut operator/config/rbac/%s grants\n%s", c.kind, got.GetName(),
				strings.Join(g, "\n"), c.file, strings.Join(w, "\n"))
		}
	}
}

// findSuffix returns the object whose name ends in suffix.
func findSuffix(objs []*unstructured.Unstructured, suffix string) *unstructured.Unstructured {
	for _, o := range objs {
		if strings.HasSuffix(o.GetName(), suffix) {
			return o
		}
	}
	return nil
}

// grants flattens rules into sorted "group resource verb" lines (resource
// names and non-resource URLs included), so two rule lists compare equal
// when they grant the same.
func grants(rules []rbacv1.PolicyRule) []string {
	set := map[string]bool{}
	for _, r := range rules {
		names := r.ResourceNames
		if len(names) == 0 {
			names = []string{"*"}
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					for _, n := range names {
						set[g+" "+res+" "+v+" "+n] = true
					}
				}
			}
		}
		for _, u := range r.NonResourceURLs {
			for _, v := range r.Verbs {
				set["url "+u+" "+v] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
