package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// ensureWorkloads applies, per service, the ServiceAccount, Deployment,
// Service, HorizontalPodAutoscaler, PodDisruptionBudget and NetworkPolicy
// in t's namespace. It does not wait for pods: WorkloadsReady means the
// objects exist and match the spec.
func (r *TenantReconciler) ensureWorkloads(ctx context.Context, t *v1alpha1.Tenant) (string, error) {
	var created, updated int
	for _, svc := range r.Config.Services {
		for _, o := range r.workload(t, svc) {
			res, err := controllerutil.CreateOrUpdate(ctx, r.Client, o.obj, func() error {
				o.obj.SetLabels(merged(o.obj.GetLabels(), serviceLabels(t, svc)))
				o.mutate()
				return controllerutil.SetControllerReference(t, o.obj, r.Scheme)
			})
			if err != nil {
				return "", failuref(v1alpha1.ReasonWorkloadsFailed, "%T %s/%s: %w", o.obj, o.obj.GetNamespace(), o.obj.GetName(), err)
			}
			switch res {
			case controllerutil.OperationResultCreated:
				created++
			case controllerutil.OperationResultUpdated:
				updated++
			}
		}
	}
	if created+updated > 0 {
		r.event(t, corev1.EventTypeNormal, "WorkloadsApplied", "Provision", "created %d and updated %d objects in namespace %s", created, updated, Namespace(t.Name))
	}
	return fmt.Sprintf("%d services applied in namespace %s (pods are not awaited)", len(r.Config.Services), Namespace(t.Name)), nil
}

// object is one object of a service, and how to set what the operator owns
// of it on its current state.
type object struct {
	obj    client.Object
	mutate func()
}

// workload lists the objects of service svc of t.
func (r *TenantReconciler) workload(t *v1alpha1.Tenant, svc string) []object {
	ns := Namespace(t.Name)
	meta := func() metav1.ObjectMeta { return metav1.ObjectMeta{Name: svc, Namespace: ns} }
	spec := serviceSpec(t, svc)
	sa := &corev1.ServiceAccount{ObjectMeta: meta()}
	dep := &appsv1.Deployment{ObjectMeta: meta()}
	service := &corev1.Service{ObjectMeta: meta()}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: meta()}
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: meta()}
	np := &networkingv1.NetworkPolicy{ObjectMeta: meta()}
	return []object{
		{sa, func() { sa.AutomountServiceAccountToken = ptr.To(false) }},
		{dep, func() {
			if dep.CreationTimestamp.IsZero() {
				dep.Spec.Selector = &metav1.LabelSelector{MatchLabels: selectorLabels(t, svc)}
			}
			dep.Spec.Replicas = ptr.To(replicas(t, spec, dep.Spec.Replicas))
			dep.Spec.Strategy = appsv1.DeploymentStrategy{
				Type:          appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: ptr.To(intstr.FromInt32(0)), MaxSurge: ptr.To(intstr.FromInt32(1))},
			}
			converge(dep, r.podTemplate(t, svc, spec), &dep.Spec.Template)
		}},
		{service, func() {
			service.Annotations = merged(service.Annotations, map[string]string{annotationConsulTags: consulTag(t)})
			service.Spec.Type = corev1.ServiceTypeClusterIP
			service.Spec.Selector = selectorLabels(t, svc)
			service.Spec.Ports = []corev1.ServicePort{{Name: "http", Port: httpPort, TargetPort: httpPortName, Protocol: corev1.ProtocolTCP}}
		}},
		{hpa, func() { converge(hpa, hpaSpec(svc, spec), &hpa.Spec) }},
		{pdb, func() {
			converge(pdb, policyv1.PodDisruptionBudgetSpec{
				MaxUnavailable: ptr.To(intstr.FromInt32(1)),
				Selector:       &metav1.LabelSelector{MatchLabels: selectorLabels(t, svc)},
			}, &pdb.Spec)
		}},
		{np, func() { converge(np, r.networkPolicySpec(t, svc), &np.Spec) }},
	}
}

// serviceSpec is t's spec of service svc with the CRD's defaults filled in
// for a service the spec does not list.
func serviceSpec(t *v1alpha1.Tenant, svc string) v1alpha1.ServiceSpec {
	s, ok := t.Spec.Services[svc]
	if !ok || s.Replicas == 0 {
		s.Replicas = defaultReplicas
	}
	return s
}

// maxReplicas is the autoscaler's ceiling for s.
func maxReplicas(s v1alpha1.ServiceSpec) int32 {
	if s.MaxReplicas != nil {
		return *s.MaxReplicas
	}
	return min(2*s.Replicas, maxReplicasCeiling)
}

// replicas is the Deployment's size: zero while t is suspended, else the
// current size when it lies within the autoscaler's bounds (the autoscaler
// chose it), else the spec's.
func replicas(t *v1alpha1.Tenant, s v1alpha1.ServiceSpec, current *int32) int32 {
	switch {
	case t.Spec.Suspended:
		return 0
	case current != nil && *current >= s.Replicas && *current <= maxReplicas(s):
		return *current
	}
	return s.Replicas
}

// converge sets *got to want when they differ in a field want sets, or when
// want changed since the operator last set it (so a field it no longer sets
// goes away), and records want's hash on obj. Fields want leaves empty keep
// the API server's defaults, so an unchanged object is not written again.
func converge[T any](obj client.Object, want T, got *T) {
	b, err := json.Marshal(want)
	if err != nil {
		panic(fmt.Sprintf("controller: marshal %T: %v", want, err)) // plain API structs always marshal
	}
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:8])
	if obj.GetAnnotations()[annotationSpecHash] == hash && equality.Semantic.DeepDerivative(want, *got) {
		return
	}
	*got = want
	obj.SetAnnotations(merged(obj.GetAnnotations(), map[string]string{annotationSpecHash: hash}))
}
