package kustomize

import (
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestRenderUnhelms renders testdata/hooks, a chart of a plain object, a
// hook deleted on success, a hook kept and a `helm test` Pod, and checks
// what Render makes of each.
func TestRenderUnhelms(t *testing.T) {
	objs, err := Render("testdata/hooks", filepath.Join("testdata", "hooks", "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		got[o.GetKind()+"/"+o.GetName()] = o
	}
	if len(got) != 3 || got["Pod/rapport-test"] != nil {
		t.Fatalf("Render gave %v, want the ConfigMap and both Jobs without the test Pod", keys(got))
	}
	cm := got["ConfigMap/rapport-plain"]
	if a := cm.GetAnnotations(); len(a) != 1 || a["example.com/kept"] != "yes" {
		t.Errorf("the ConfigMap's annotations are %v, want only example.com/kept", a)
	}
	if l := cm.GetLabels()[managedBy]; l != "kustomize" {
		t.Errorf("the ConfigMap's %s is %q, want kustomize", managedBy, l)
	}
	migrate := got["Job/rapport-migrate"]
	if a := migrate.GetAnnotations(); a != nil {
		t.Errorf("the migration Job keeps annotations %v", a)
	}
	if ttl, ok := intField(migrate, "spec", "ttlSecondsAfterFinished"); !ok || ttl != JobTTL {
		t.Errorf("the Job Helm deletes on success has ttlSecondsAfterFinished %d (set %v), want %d", ttl, ok, JobTTL)
	}
	if l, _, _ := unstructured.NestedString(migrate.Object, "spec", "template", "metadata", "labels", managedBy); l != "kustomize" {
		t.Errorf("the pod template's %s is %q, want kustomize", managedBy, l)
	}
	if _, ok := intField(got["Job/rapport-keep"], "spec", "ttlSecondsAfterFinished"); ok {
		t.Error("a hook Helm keeps got a TTL")
	}
}

func keys(m map[string]*unstructured.Unstructured) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
