package controller

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// ownedKinds are the kinds the operator makes and owns; it watches them to
// put back what is deleted or changed.
func ownedKinds() []client.Object {
	return []client.Object{
		&corev1.Namespace{}, &corev1.Secret{}, &corev1.ServiceAccount{}, &corev1.Service{},
		&appsv1.Deployment{}, &autoscalingv2.HorizontalPodAutoscaler{},
		&policyv1.PodDisruptionBudget{}, &networkingv1.NetworkPolicy{},
	}
}

// CacheOptions limits the manager's cache of the owned kinds to the objects
// the operator labelled, so it never holds every Secret or Deployment of
// the cluster. Objects it did not make (the admin DSN Secrets) are read
// through the API reader.
func CacheOptions() cache.Options {
	by := cache.ByObject{Label: labels.SelectorFromSet(labels.Set{LabelManagedBy: ManagedBy})}
	opts := cache.Options{ByObject: map[client.Object]cache.ByObject{}}
	for _, obj := range ownedKinds() {
		opts.ByObject[obj] = by
	}
	return opts
}

// specOrDeletionChanged lets through the updates of a Tenant that need a
// reconcile: a new generation of its spec, or its deletion. The operator's
// own status writes do not come back as work.
var specOrDeletionChanged = predicate.Or[client.Object](
	predicate.GenerationChangedPredicate{},
	predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		return !e.ObjectNew.GetDeletionTimestamp().IsZero()
	}},
)

// domainRivals maps a change of a Tenant's spec, its creation or deletion to
// the Tenants that went Failed over a domain: the change may have freed it.
func (r *TenantReconciler) domainRivals(ctx context.Context, obj client.Object) []reconcile.Request {
	var list v1alpha1.TenantList
	if err := r.List(ctx, &list); err != nil {
		return nil
	}
	var out []reconcile.Request
	for _, t := range list.Items {
		ready := meta.FindStatusCondition(t.Status.Conditions, v1alpha1.ConditionReady)
		if t.Name != obj.GetName() && ready != nil && ready.Reason == v1alpha1.ReasonDomainConflict {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKey{Name: t.Name}})
		}
	}
	return out
}
