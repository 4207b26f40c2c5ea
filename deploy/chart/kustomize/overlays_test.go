package kustomize

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

func TestMain(m *testing.M) { os.Exit(charttest.Main(m)) }

// overlays are the directories under deploy/k8s/overlays.
var overlays = []string{"dev", "production"}

// build runs `kustomize build deploy/k8s/overlays/<name>` (what
// `kubectl apply -k` applies) and returns its objects.
func build(t *testing.T, name string) []*unstructured.Unstructured {
	t.Helper()
	dir := filepath.Join(charttest.RepoRoot(t), "deploy", "k8s", "overlays", name)
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	data, err := res.AsYaml()
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	objs, err := charttest.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	return objs
}

// TestOverlaysApply is `kubectl apply -k deploy/k8s/overlays/<name>
// --dry-run=server` for each overlay, strict: every object it builds is
// server-side applied with dry run to a real kube-apiserver, where an
// unknown field, a wrong type or a refused value fails.
func TestOverlaysApply(t *testing.T) {
	cfg := charttest.APIServer(t)
	for _, name := range overlays {
		t.Run(name, func(t *testing.T) {
			charttest.DryRunApply(t, cfg, build(t, name))
		})
	}
}

// TestProductionRendersNoSecret: the production overlay takes every secret
// from Secrets that already exist, and needs the same Secrets (by name,
// less the dev overlay's content hash) that the dev overlay generates.
func TestProductionRendersNoSecret(t *testing.T) {
	prod := build(t, "production")
	for _, o := range charttest.Find(prod, "Secret") {
		t.Errorf("the production overlay renders Secret %s: secrets must come from existing Secrets", o.GetName())
	}
	var need []string
	for name := range secretRefs(t, prod) {
		need = append(need, name)
	}
	var made []string
	for _, o := range charttest.Find(build(t, "dev"), "Secret") {
		made = append(made, hashSuffix.ReplaceAllString(o.GetName(), ""))
	}
	slices.Sort(need)
	slices.Sort(made)
	for _, n := range need {
		if !slices.Contains(made, n) {
			t.Errorf("production needs Secret %s, which the dev overlay does not generate", n)
		}
	}
	if len(need) == 0 {
		t.Error("the production overlay references no Secret: where do DATABASE_URL and the keys come from?")
	}
}

// hashSuffix is the content hash kustomize appends to a generated Secret's name.
var hashSuffix = regexp.MustCompile(`-[a-z0-9]{10}$`)

// TestDevSecretsResolve: every secret key a workload of the dev overlay
// reads (env, envFrom, volumes) is in a Secret the overlay generates.
func TestDevSecretsResolve(t *testing.T) {
	objs := build(t, "dev")
	data := map[string]map[string]bool{}
	for _, o := range charttest.Find(objs, "Secret") {
		keys := map[string]bool{}
		for _, field := range []string{"data", "stringData"} {
			m, _, _ := unstructured.NestedMap(o.Object, field)
			for k := range m {
				keys[k] = true
			}
		}
		data[o.GetName()] = keys
	}
	refs := secretRefs(t, objs)
	if len(refs) == 0 {
		t.Fatal("the dev overlay's workloads read no Secret")
	}
	for name, keys := range refs {
		have, ok := data[name]
		if !ok {
			t.Errorf("a workload reads Secret %s, which the dev overlay does not generate", name)
			continue
		}
		for k := range keys {
			if !have[k] {
				t.Errorf("a workload reads key %s of Secret %s, which does not hold it", k, name)
			}
		}
	}
}

// secretRefs returns the Secrets (name → keys read; none for envFrom or a
// whole volume) that the workloads in objs need, optional ones left out.
func secretRefs(t *testing.T, objs []*unstructured.Unstructured) map[string]map[string]bool {
	t.Helper()
	refs := map[string]map[string]bool{}
	add := func(name, key string) {
		if refs[name] == nil {
			refs[name] = map[string]bool{}
		}
		if key != "" {
			refs[name][key] = true
		}
	}
	for _, o := range objs {
		spec := podSpec(t, o)
		if spec == nil {
			continue
		}
		for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
			for _, e := range c.Env {
				if r := e.ValueFrom; r != nil && r.SecretKeyRef != nil && !isTrue(r.SecretKeyRef.Optional) {
					add(r.SecretKeyRef.Name, r.SecretKeyRef.Key)
				}
			}
			for _, e := range c.EnvFrom {
				if e.SecretRef != nil && !isTrue(e.SecretRef.Optional) {
					add(e.SecretRef.Name, "")
				}
			}
		}
		for _, v := range spec.Volumes {
			if s := v.Secret; s != nil && !isTrue(s.Optional) {
				add(s.SecretName, "")
				for _, it := range s.Items {
					add(s.SecretName, it.Key)
				}
			}
		}
	}
	return refs
}

// podSpec returns the pod template's spec of a workload, else nil.
func podSpec(t *testing.T, o *unstructured.Unstructured) *corev1.PodSpec {
	t.Helper()
	var path []string
	switch o.GetKind() {
	case "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet":
		path = []string{"spec", "template", "spec"}
	case "CronJob":
		path = []string{"spec", "jobTemplate", "spec", "template", "spec"}
	default:
		return nil
	}
	m, ok, err := unstructured.NestedMap(o.Object, path...)
	if err != nil || !ok {
		t.Fatalf("%s %s has no pod template spec: %v", o.GetKind(), o.GetName(), err)
	}
	var spec corev1.PodSpec
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &spec); err != nil {
		t.Fatalf("%s %s: decode the pod spec: %v", o.GetKind(), o.GetName(), err)
	}
	return &spec
}

func isTrue(b *bool) bool { return b != nil && *b }
