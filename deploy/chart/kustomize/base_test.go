package kustomize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// TestBaseIsCurrent fails while the committed deploy/k8s/base differs from
// what the generator makes of the chart and deploy/k8s/values.yaml: a file
// changed, missing or left over, named with the command that fixes it.
func TestBaseIsCurrent(t *testing.T) {
	root := charttest.RepoRoot(t)
	files, err := Base(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, BaseDir)
	want := map[string]bool{}
	for _, f := range files {
		want[f.Name] = true
		got, err := os.ReadFile(filepath.Join(dir, f.Name))
		switch {
		case os.IsNotExist(err):
			t.Errorf("%s/%s is missing: run `%s`", BaseDir, f.Name, Regenerate)
		case err != nil:
			t.Errorf("read %s/%s: %v", BaseDir, f.Name, err)
		case !bytes.Equal(got, f.Data):
			t.Errorf("%s/%s is stale (%s): run `%s`", BaseDir, f.Name, firstDifference(got, f.Data), Regenerate)
		}
	}
	committed, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range committed {
		if !want[filepath.Base(p)] {
			t.Errorf("%s/%s is no longer generated from the chart: run `%s`", BaseDir, filepath.Base(p), Regenerate)
		}
	}
}

// firstDifference describes the first line where got and want differ.
func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d is %q, the generator writes %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("it has %d lines, the generator writes %d", len(g), len(w))
}

// TestBaseIsPlain checks that kustomize gets plain objects: the chart's
// hooks (its migration Jobs) are in the base as ordinary objects, a Job
// Helm deletes on success with a TTL instead, and no
// object carries a Helm annotation or says it is managed by Helm.
func TestBaseIsPlain(t *testing.T) {
	root := charttest.RepoRoot(t)
	objs, err := Render(filepath.Join(root, ChartDir), filepath.Join(root, ValuesFile))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		names[o.GetKind()+"/"+o.GetName()] = o
		for k := range o.GetAnnotations() {
			if strings.HasPrefix(k, "helm.sh/") {
				t.Errorf("%s %s keeps Helm's annotation %s", o.GetKind(), o.GetName(), k)
			}
		}
		data, err := json.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), `"app.kubernetes.io/managed-by":"Helm"`) {
			t.Errorf("%s %s still says it is managed by Helm", o.GetKind(), o.GetName())
		}
	}
	hooks := 0
	for _, o := range charttest.Render(t, filepath.Join(root, ValuesFile)) {
		if _, ok := o.GetAnnotations()["helm.sh/hook"]; ok && !isTestHook(o) {
			hooks++
			plain := names[o.GetKind()+"/"+o.GetName()]
			if plain == nil {
				t.Errorf("the chart's hook %s %s is not in the base", o.GetKind(), o.GetName())
				continue
			}
			deleted := strings.Contains(o.GetAnnotations()["helm.sh/hook-delete-policy"], "hook-succeeded")
			if ttl, ok := intField(plain, "spec", "ttlSecondsAfterFinished"); deleted && o.GetKind() == "Job" && (!ok || ttl != JobTTL) {
				t.Errorf("Job %s, which Helm deletes on success, has ttlSecondsAfterFinished %d in the base, want %d", o.GetName(), ttl, JobTTL)
			}
		}
	}
	if hooks == 0 {
		t.Error("the chart rendered with the kustomize values has no hook: where are the migration Jobs?")
	}
}
