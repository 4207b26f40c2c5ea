package controller_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
)

// TestDeletionDropsTheDatabasesUnlessRetained deletes a tenant that keeps
// its databases and one that does not.
func TestDeletionDropsTheDatabasesUnlessRetained(t *testing.T) {
	w.startOperator(t, nil)
	tests := []struct {
		name      string
		retain    bool
		wantKeeps bool
	}{
		{"retained", true, true},
		{"dropped", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := uniqueName("del")
			w.mustCreate(t, dedicated(name, func(tn *v1alpha1.Tenant) { tn.Spec.Database.RetainOnDelete = ptr.To(tt.retain) }))
			tn := w.waitPhase(t, name, v1alpha1.PhaseReady)
			if tt.retain {
				t.Cleanup(func() {
					for _, svc := range []string{"contacts", "sales"} {
						w.dropDatabase(t, postgres.For(name, svc).Name)
					}
				})
			}
			w.remove(t, name)
			ctx := context.Background()
			for _, svc := range []string{"contacts", "sales"} {
				d := postgres.For(name, svc)
				if got := w.databaseExists(t, d.Name) && w.roleExists(t, d.App) && w.roleExists(t, d.Owner); got != tt.wantKeeps {
					t.Errorf("%s: database and roles kept = %v, want %v", svc, got, tt.wantKeeps)
				}
			}
			if got := w.partitions(t, controller.Topics(name, []string{"contacts", "sales"})...); len(got) != 0 {
				t.Errorf("topics left: %v", got)
			}
			if gt, err := w.gwc.Get(ctx, tn.Status.GatewayID); err != nil || gt.Status != gatewayadmin.StatusDeleted {
				t.Errorf("gateway tenant = %+v, %v; want deleted", gt, err)
			}
			var ns corev1.Namespace
			// envtest runs no namespace controller: the namespace stays
			// Terminating, which is what a cluster then finishes.
			if err := w.c.Get(ctx, client.ObjectKey{Name: controller.Namespace(name)}, &ns); err == nil && ns.DeletionTimestamp.IsZero() {
				t.Errorf("namespace %s is not being deleted", ns.Name)
			}
			if err := w.c.Get(ctx, client.ObjectKey{Namespace: operatorNS, Name: controller.InvitationSecret(name)}, &corev1.Secret{}); !isNotFound(err) {
				t.Errorf("invitation Secret: %v, want it gone", err)
			}
		})
	}
	t.Run("retried while the database is unreachable", func(t *testing.T) {
		name := uniqueName("del")
		secret := "pg-" + name
		w.putSecret(t, secret, w.pgAdmin)
		w.mustCreate(t, dedicated(name, func(tn *v1alpha1.Tenant) { tn.Spec.Database.Server.Name = secret }))
		w.waitPhase(t, name, v1alpha1.PhaseReady)
		w.putSecret(t, secret, "postgres://postgres@"+testkit.FreeAddr(t)+"/postgres?sslmode=disable&connect_timeout=2")
		if err := w.c.Delete(context.Background(), &v1alpha1.Tenant{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
			t.Fatal(err)
		}
		got := w.waitCondition(t, name, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonDatabaseUnreachable)
		if got.Status.Phase != v1alpha1.PhaseDeleting {
			t.Errorf("phase = %s, want %s", got.Status.Phase, v1alpha1.PhaseDeleting)
		}
		w.putSecret(t, secret, w.pgAdmin)
		if !w.gone(name, waitFor) {
			t.Fatalf("tenant %s not gone after the database came back", name)
		}
		if d := postgres.For(name, "contacts").Name; w.databaseExists(t, d) {
			t.Errorf("database %s left after the deletion", d)
		}
	})
}
