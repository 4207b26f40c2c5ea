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

// TestCRDsAreTheOperators: the chart's files/crds holds a byte-identical
// copy of every CRD in operator/config/crd/bases and nothing else, and the
// chart renders each with the same spec and the keep policy.
func TestCRDsAreTheOperators(t *testing.T) {
	bases := filepath.Join(charttest.RepoRoot(t), "operator", "config", "crd", "bases")
	copies := filepath.Join(charttest.ChartDir(t), "files", "crds")
	want, got := yamlFiles(t, bases), yamlFiles(t, copies)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("charts/rapport/files/crds holds %v, but operator/config/crd/bases holds %v: copy them again", got, want)
	}
	rendered := map[string]apiextensionsv1.CustomResourceDefinition{}
	for _, o := range charttest.Find(renderCI(t, "ci/minimal-values.yaml"), "CustomResourceDefinition") {
		var crd apiextensionsv1.CustomResourceDefinition
		typed(t, o, &crd)
		rendered[crd.Name] = crd
	}
	if len(rendered) != len(want) {
		t.Errorf("the chart renders %d CRDs, want the operator's %d", len(rendered), len(want))
	}
	for _, file := range want {
		data, err := os.ReadFile(filepath.Join(bases, file))
		if err != nil {
			t.Fatal(err)
		}
		if copied, err := os.ReadFile(filepath.Join(copies, file)); err == nil && !bytes.Equal(copied, data) {
			t.Errorf("charts/rapport/files/crds/%s differs from operator/config/crd/bases/%s: copy it again", file, file)
		}
		var wantCRD apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(data, &wantCRD); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		gotCRD, ok := rendered[wantCRD.Name]
		switch {
		case !ok:
			t.Errorf("the chart does not render the CRD %s (%s)", wantCRD.Name, file)
		case !reflect.DeepEqual(gotCRD.Spec, wantCRD.Spec):
			t.Errorf("the rendered CRD %s differs from the operator's %s", gotCRD.Name, file)
		case gotCRD.Annotations["helm.sh/resource-policy"] != "keep":
			t.Errorf("the rendered CRD %s lacks helm.sh/resource-policy: keep (an uninstall would delete every object of it)", gotCRD.Name)
		}
	}
}

// yamlFiles returns the names of the .yaml files in dir, sorted.
func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
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
