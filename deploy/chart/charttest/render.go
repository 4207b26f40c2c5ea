// Package charttest renders charts/rapport with the Helm v4 SDK and checks
// what it renders against a real kube-apiserver (envtest): the helpers the
// chart's tests (package deploy/chart) and the kustomize tests
// (deploy/chart/kustomize) share.
package charttest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/cli/values"
	"helm.sh/helm/v4/pkg/getter"
	release "helm.sh/helm/v4/pkg/release/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/rapport-crm/rapport/libs/proc"
)

// The release every render and install uses.
const (
	// ReleaseName is the Helm release's name.
	ReleaseName = "rapport"
	// Namespace is the release's namespace; DryRunApply puts namespaced
	// objects that name none there.
	Namespace = "rapport"
)

// OptionalAPIVersions are the API versions of the optional integrations
// (cert-manager, Gateway API, prometheus-operator) that Render declares as
// available, both as group/version and as group/version/Kind, so a template
// may test either form with .Capabilities.APIVersions.Has.
var OptionalAPIVersions = common.VersionSet{
	"cert-manager.io/v1", "cert-manager.io/v1/Certificate",
	"gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1/HTTPRoute",
	"monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor",
	"monitoring.coreos.com/v1/PrometheusRule",
}

// RepoRoot returns the repository's root (the directory holding go.work).
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := proc.RepoRoot()
	if err != nil {
		t.Fatalf("charttest: %v", err)
	}
	return root
}

// ChartDir returns the directory of charts/rapport.
func ChartDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "charts", "rapport")
}

// ValuesFile returns the path of one of the chart's files, e.g.
// ValuesFile(t, "ci/minimal-values.yaml").
func ValuesFile(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(ChartDir(t), name)
}

// Render renders charts/rapport as `helm template` would (release
// ReleaseName in Namespace, the optional integrations' API versions
// available, schema validation on) with valuesFiles merged in order, and
// returns every object: the manifest's and the hooks'. It fails the test
// if rendering fails.
func Render(t testing.TB, valuesFiles ...string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := RenderChart(ChartDir(t), valuesFiles...)
	if err != nil {
		t.Fatalf("charttest: render %s with %v: %v", ChartDir(t), valuesFiles, err)
	}
	return objs
}

// RenderChart renders the chart in dir with valuesFiles as Render does and
// returns its objects, or the error Helm gives (a schema violation, a
// template's fail): what a bad-input test asserts on.
func RenderChart(dir string, valuesFiles ...string) ([]*unstructured.Unstructured, error) {
	ch, vals, err := Load(dir, valuesFiles...)
	if err != nil {
		return nil, err
	}
	rel, err := renderRelease(ch, vals)
	if err != nil {
		return nil, err
	}
	return Objects(rel)
}

// Load loads the chart in dir and merges valuesFiles as `helm -f` does.
func Load(dir string, valuesFiles ...string) (*chart.Chart, map[string]any, error) {
	ch, err := loader.Load(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("load chart %s: %w", dir, err)
	}
	opts := values.Options{ValueFiles: valuesFiles}
	vals, err := opts.MergeValues(getter.Providers{})
	if err != nil {
		return nil, nil, fmt.Errorf("read values %v: %w", valuesFiles, err)
	}
	return ch, vals, nil
}

// Values returns what the templates see as .Values: the chart's
// values.yaml coalesced with valuesFiles.
func Values(t testing.TB, valuesFiles ...string) map[string]any {
	t.Helper()
	ch, vals, err := Load(ChartDir(t), valuesFiles...)
	if err != nil {
		t.Fatalf("charttest: %v", err)
	}
	merged, err := util.CoalesceValues(ch, vals)
	if err != nil {
		t.Fatalf("charttest: coalesce values %v: %v", valuesFiles, err)
	}
	return merged
}

// renderRelease runs the install action client-side only, as `helm template`.
func renderRelease(ch *chart.Chart, vals map[string]any) (*release.Release, error) {
	install := action.NewInstall(action.NewConfiguration())
	install.DryRunStrategy = action.DryRunClient
	install.ReleaseName = ReleaseName
	install.Namespace = Namespace
	install.IncludeCRDs = true
	install.APIVersions = OptionalAPIVersions
	r, err := install.RunWithContext(context.Background(), ch, vals)
	if err != nil {
		return nil, err
	}
	rel, ok := r.(*release.Release)
	if !ok {
		return nil, fmt.Errorf("install returned a %T, not a v1 release", r)
	}
	return rel, nil
}

// Objects decodes a release's manifest and its hooks' manifests.
func Objects(rel *release.Release) ([]*unstructured.Unstructured, error) {
	objs, err := Decode(strings.NewReader(rel.Manifest))
	if err != nil {
		return nil, fmt.Errorf("release manifest: %w", err)
	}
	for _, h := range rel.Hooks {
		more, err := Decode(strings.NewReader(h.Manifest))
		if err != nil {
			return nil, fmt.Errorf("hook %s (%s): %w", h.Name, h.Path, err)
		}
		objs = append(objs, more...)
	}
	return objs, nil
}

// Decode reads a stream of YAML documents into objects, skipping empty ones.
func Decode(r io.Reader) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	var objs []*unstructured.Unstructured
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		obj := &unstructured.Unstructured{Object: m}
		if obj.GetKind() == "" || obj.GetAPIVersion() == "" {
			return nil, fmt.Errorf("a document without kind or apiVersion: %v", m)
		}
		objs = append(objs, obj)
	}
}

// Find returns the objects of kind (any apiVersion) in objs.
func Find(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}
