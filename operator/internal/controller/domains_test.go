package controller_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
)

// TestDomainAnotherTenantHolds: a tenant asking for a domain another holds
// fails untouched, and is provisioned once the holder goes.
func TestDomainAnotherTenantHolds(t *testing.T) {
	w.startOperator(t, nil)
	holder, late := uniqueName("first"), uniqueName("late")
	domain := holder + ".example.org"
	w.mustCreate(t, shared(holder, func(tn *v1alpha1.Tenant) { tn.Spec.Domains = []string{domain} }))
	w.waitPhase(t, holder, v1alpha1.PhaseReady)
	w.mustCreate(t, dedicated(late, func(tn *v1alpha1.Tenant) { tn.Spec.Domains = []string{late + ".example.org", domain} }))

	tn := w.waitPhase(t, late, v1alpha1.PhaseFailed)
	ready := findCondition(tn, v1alpha1.ConditionReady)
	if ready.Reason != v1alpha1.ReasonDomainConflict || !strings.Contains(ready.Message, domain) || !strings.Contains(ready.Message, holder) {
		t.Errorf("Ready = %+v, want %s naming %s and %s", ready, v1alpha1.ReasonDomainConflict, domain, holder)
	}
	ctx := context.Background()
	t.Run("nothing is touched", func(t *testing.T) {
		if len(tn.Finalizers) != 0 {
			t.Errorf("finalizers = %v, want none", tn.Finalizers)
		}
		if err := w.c.Get(ctx, client.ObjectKey{Name: controller.Namespace(late)}, &corev1.Namespace{}); !isNotFound(err) {
			t.Errorf("namespace: %v, want none", err)
		}
		if d := postgres.For(late, "contacts"); w.databaseExists(t, d.Name) || w.roleExists(t, d.App) {
			t.Errorf("database or role %s exists, want none", d.Name)
		}
		if got := w.partitions(t, controller.Topics(late, []string{"contacts"})...); len(got) != 0 {
			t.Errorf("topics %v, want none", got)
		}
		if _, err := w.gwc.FindBySlug(ctx, late); !isNotFound(err) {
			t.Errorf("gateway: %v, want no tenant %s", err, late)
		}
	})
	t.Run("freed when the holder goes", func(t *testing.T) {
		w.remove(t, holder)
		w.waitPhase(t, late, v1alpha1.PhaseReady)
	})
}
