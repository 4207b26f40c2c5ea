package controller

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// stepConditions are the conditions of the reconcile steps, in order; Ready
// sums them up.
var stepConditions = []string{
	v1alpha1.ConditionDatabases, v1alpha1.ConditionTopics, v1alpha1.ConditionWorkloads, v1alpha1.ConditionRegistered,
}

// setCondition records the outcome of one step on t for its generation.
func setCondition(t *v1alpha1.Tenant, typ string, ok bool, reason, message string) {
	status := metav1.ConditionFalse
	if ok {
		status = metav1.ConditionTrue
	}
	meta.SetStatusCondition(&t.Status.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: message, ObservedGeneration: t.Generation,
	})
}

// summarise sets t's phase, Ready condition and observed generation from
// the step conditions; failed is the permanent failure of this pass, if any.
func summarise(t *v1alpha1.Tenant, failed error) {
	t.Status.ObservedGeneration = t.Generation
	var pending []string
	for _, c := range stepConditions {
		if !meta.IsStatusConditionTrue(t.Status.Conditions, c) {
			pending = append(pending, c)
		}
	}
	switch {
	case failed != nil:
		t.Status.Phase = v1alpha1.PhaseFailed
		setCondition(t, v1alpha1.ConditionReady, false, reasonOf(failed, v1alpha1.ReasonStepsPending), failed.Error())
	case len(pending) > 0:
		t.Status.Phase = v1alpha1.PhaseProvisioning
		setCondition(t, v1alpha1.ConditionReady, false, v1alpha1.ReasonStepsPending, "waiting for "+strings.Join(pending, ", "))
	case t.Spec.Suspended:
		t.Status.Phase = v1alpha1.PhaseSuspended
		setCondition(t, v1alpha1.ConditionReady, false, v1alpha1.ReasonSuspended, "the tenant is suspended")
	default:
		t.Status.Phase = v1alpha1.PhaseReady
		setCondition(t, v1alpha1.ConditionReady, true, v1alpha1.ReasonProvisioned, "every step is done")
	}
}

// patchStatus writes t's status when it differs from before's, and records
// an Event when the phase changed.
func (r *TenantReconciler) patchStatus(ctx context.Context, t, before *v1alpha1.Tenant) error {
	if equality.Semantic.DeepEqual(before.Status, t.Status) {
		return nil
	}
	if err := r.Status().Patch(ctx, t, client.MergeFrom(before)); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	if before.Status.Phase != t.Status.Phase {
		ready := meta.FindStatusCondition(t.Status.Conditions, v1alpha1.ConditionReady)
		kind := corev1.EventTypeNormal
		if t.Status.Phase == v1alpha1.PhaseFailed {
			kind = corev1.EventTypeWarning
		}
		if ready != nil {
			r.event(t, kind, "Phase"+string(t.Status.Phase), "Reconcile", "%s", ready.Message)
		}
	}
	return nil
}

// event records a Kubernetes Event about t.
func (r *TenantReconciler) event(t *v1alpha1.Tenant, kind, reason, action, note string, args ...any) {
	r.Recorder.Eventf(t, nil, kind, reason, action, note, args...)
}
