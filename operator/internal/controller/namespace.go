package controller

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// ensureNamespace makes t's namespace, labelled and owned by t. A namespace
// of that name that is not t's, or is still terminating, is a failure.
func (r *TenantReconciler) ensureNamespace(ctx context.Context, t *v1alpha1.Tenant) error {
	ns := &corev1.Namespace{}
	ns.Name = Namespace(t.Name)
	res, err := controllerutil.CreateOrUpdate(ctx, r.Client, ns, func() error {
		if !ns.DeletionTimestamp.IsZero() {
			return fmt.Errorf("namespace %s is still terminating", ns.Name)
		}
		if !ns.CreationTimestamp.IsZero() && ns.Labels[LabelTenant] != t.Name {
			return fmt.Errorf("namespace %s exists and is not tenant %s's", ns.Name, t.Name)
		}
		ns.Labels = merged(ns.Labels, tenantLabels(t))
		return controllerutil.SetControllerReference(t, ns, r.Scheme)
	})
	if err != nil {
		return failuref(v1alpha1.ReasonNamespaceFailed, "namespace %s: %w", ns.Name, err)
	}
	if res == controllerutil.OperationResultCreated {
		r.event(t, corev1.EventTypeNormal, "NamespaceCreated", "Provision", "created namespace %s", ns.Name)
	}
	t.Status.Namespace = ns.Name
	return nil
}
