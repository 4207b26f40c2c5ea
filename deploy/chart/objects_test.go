package chart

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rapport-crm/rapport/deploy/chart/charttest"
)

// componentLabel names the program an object belongs to (the chart's
// rapport.labels).
const componentLabel = "app.kubernetes.io/component"

// podTemplate is one workload's pod template and where it comes from.
type podTemplate struct {
	kind, name, component string
	spec                  corev1.PodSpec
	labels                map[string]string
}

// typed converts obj into out (a typed API object), failing the test.
func typed(t *testing.T, obj *unstructured.Unstructured, out any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj.Object, out, true); err != nil {
		t.Fatalf("%s %s: %v", obj.GetKind(), obj.GetName(), err)
	}
}

// deployments returns the typed Deployments of objs.
func deployments(t *testing.T, objs []*unstructured.Unstructured) []*appsv1.Deployment {
	t.Helper()
	var out []*appsv1.Deployment
	for _, o := range charttest.Find(objs, "Deployment") {
		d := &appsv1.Deployment{}
		typed(t, o, d)
		out = append(out, d)
	}
	return out
}

// jobs returns the typed Jobs of objs.
func jobs(t *testing.T, objs []*unstructured.Unstructured) []*batchv1.Job {
	t.Helper()
	var out []*batchv1.Job
	for _, o := range charttest.Find(objs, "Job") {
		j := &batchv1.Job{}
		typed(t, o, j)
		out = append(out, j)
	}
	return out
}

// podTemplates returns the pod template of every workload in objs, failing
// on a workload kind the chart is not expected to render.
func podTemplates(t *testing.T, objs []*unstructured.Unstructured) []podTemplate {
	t.Helper()
	for _, o := range objs {
		switch o.GetKind() {
		case "StatefulSet", "DaemonSet", "CronJob", "Pod", "ReplicaSet":
			t.Errorf("%s %s: the policy test does not know this workload kind; teach it", o.GetKind(), o.GetName())
		}
	}
	var out []podTemplate
	for _, d := range deployments(t, objs) {
		out = append(out, podTemplate{"Deployment", d.Name, d.Labels[componentLabel], d.Spec.Template.Spec, d.Spec.Template.Labels})
	}
	for _, j := range jobs(t, objs) {
		out = append(out, podTemplate{"Job", j.Name, j.Labels[componentLabel], j.Spec.Template.Spec, j.Spec.Template.Labels})
	}
	return out
}
