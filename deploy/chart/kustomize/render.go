// Package kustomize generates deploy/k8s/base, the plain manifests for
// those who install Rapport with kustomize rather than Helm, from the chart
// charts/rapport (the one source of truth), and its tests check that the
// committed base is current and that the overlays build and apply.
package kustomize

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// JobTTL is the ttlSecondsAfterFinished the base gives a Job the chart
// deletes once it has succeeded (hook-delete-policy hook-succeeded): the
// migration Jobs go an hour after they finish, so a later `kubectl apply
// -k` creates them anew (with a new image) rather than failing on a Job's
// immutable template, and a failure's logs stay an hour to be read.
const JobTTL = 3600

// managedBy is the label whose value Helm sets to "Helm"; the base's
// objects are applied by kubectl -k, so it says kustomize there.
const managedBy = "app.kubernetes.io/managed-by"

// Render renders the chart in chartDir with valuesFile exactly as the
// chart's tests do (charttest.RenderChart: release "rapport" in namespace
// "rapport"), then makes the objects fit for kustomize, which has no hooks:
// the hooks (the migration Jobs) become plain objects without Helm's
// annotations (a Job deleted on success gets ttlSecondsAfterFinished
// JobTTL instead), `helm test` hooks are left out, and every managed-by
// label (selectors included) says kustomize instead of Helm.
func Render(chartDir, valuesFile string) ([]*unstructured.Unstructured, error) {
	objs, err := charttest.RenderChart(chartDir, valuesFile)
	if err != nil {
		return nil, fmt.Errorf("render chart %s with %s: %w", chartDir, valuesFile, err)
	}
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		if isTestHook(o) {
			continue
		}
		if err := unhelm(o); err != nil {
			return nil, fmt.Errorf("%s %s: %w", o.GetKind(), o.GetName(), err)
		}
		out = append(out, o)
	}
	return out, nil
}

// isTestHook reports whether o runs only under `helm test`.
func isTestHook(o *unstructured.Unstructured) bool {
	events := strings.Split(o.GetAnnotations()["helm.sh/hook"], ",")
	return slices.ContainsFunc(events, func(e string) bool {
		return strings.HasPrefix(strings.TrimSpace(e), "test")
	})
}

// unhelm removes Helm's annotations (hooks, resource policy) from o and
// relabels it.
func unhelm(o *unstructured.Unstructured) error {
	ann := o.GetAnnotations()
	policy := strings.Split(ann["helm.sh/hook-delete-policy"], ",")
	if o.GetKind() == "Job" && slices.Contains(policy, "hook-succeeded") {
		if err := unstructured.SetNestedField(o.Object, int64(JobTTL), "spec", "ttlSecondsAfterFinished"); err != nil {
			return fmt.Errorf("set ttlSecondsAfterFinished: %w", err)
		}
	}
	for k := range ann {
		if strings.HasPrefix(k, "helm.sh/") {
			delete(ann, k)
		}
	}
	if len(ann) == 0 {
		ann = nil
	}
	o.SetAnnotations(ann)
	relabel(o.Object)
	return nil
}

// relabel walks v and sets every managed-by: Helm to kustomize.
func relabel(v any) {
	switch v := v.(type) {
	case map[string]any:
		if v[managedBy] == "Helm" {
			v[managedBy] = "kustomize"
		}
		for _, c := range v {
			relabel(c)
		}
	case []any:
		for _, c := range v {
			relabel(c)
		}
	}
}
