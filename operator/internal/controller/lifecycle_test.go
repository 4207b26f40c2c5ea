package controller_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

// readyTenant starts an operator and makes a dedicated tenant, and returns
// it once Ready.
func readyTenant(t *testing.T, prefix string) *v1alpha1.Tenant {
	t.Helper()
	w.startOperator(t, nil)
	name := uniqueName(prefix)
	w.mustCreate(t, dedicated(name))
	return w.waitPhase(t, name, v1alpha1.PhaseReady)
}

// deployment reads the Deployment of service svc of tenant.
func deployment(t *testing.T, tenant, svc string) *appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	w.get(t, controller.Namespace(tenant), svc, &d)
	return &d
}

func TestSuspendScalesToZeroAndResumeBack(t *testing.T) {
	tn := readyTenant(t, "life")
	name := tn.Name
	ctx := context.Background()

	t.Run("suspend scales to zero and the gateway refuses the tenant", func(t *testing.T) {
		w.update(t, name, func(tn *v1alpha1.Tenant) { tn.Spec.Suspended = true })
		got := w.waitPhase(t, name, v1alpha1.PhaseSuspended)
		if c := findCondition(got, v1alpha1.ConditionReady); c.Status != metav1.ConditionFalse || c.Reason != v1alpha1.ReasonSuspended {
			t.Errorf("Ready = %+v, want False (%s)", c, v1alpha1.ReasonSuspended)
		}
		for _, svc := range []string{"contacts", "sales"} {
			if d := deployment(t, name, svc); *d.Spec.Replicas != 0 {
				t.Errorf("%s replicas = %d, want 0", svc, *d.Spec.Replicas)
			}
		}
		if gt, err := w.gwc.Get(ctx, tn.Status.GatewayID); err != nil || gt.Status != gatewayadmin.StatusSuspended {
			t.Errorf("gateway tenant = %+v, %v; want suspended", gt, err)
		}
	})

	t.Run("resume", func(t *testing.T) {
		w.update(t, name, func(tn *v1alpha1.Tenant) { tn.Spec.Suspended = false })
		w.waitPhase(t, name, v1alpha1.PhaseReady)
		if got := *deployment(t, name, "contacts").Spec.Replicas; got != 2 {
			t.Errorf("replicas = %d, want 2", got)
		}
		if gt, err := w.gwc.Get(ctx, tn.Status.GatewayID); err != nil || gt.Status != gatewayadmin.StatusActive {
			t.Errorf("gateway tenant = %+v, %v; want active", gt, err)
		}
	})
}

func TestReplicasAndVersionRollTheWorkloads(t *testing.T) {
	name := readyTenant(t, "roll").Name
	before := deployment(t, name, "contacts")
	w.update(t, name, func(tn *v1alpha1.Tenant) {
		tn.Spec.Version = "1.1.0"
		tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"contacts": {Replicas: 4}}
	})
	w.waitPhase(t, name, v1alpha1.PhaseReady)
	after := deployment(t, name, "contacts")
	if img := after.Spec.Template.Spec.Containers[0].Image; img != "registry.example/rapport/contacts:1.1.0" {
		t.Errorf("image = %s, want registry.example/rapport/contacts:1.1.0", img)
	}
	if *after.Spec.Replicas != 4 || after.Generation <= before.Generation {
		t.Errorf("replicas %d generation %d (was %d), want 4 and a new generation", *after.Spec.Replicas, after.Generation, before.Generation)
	}
	var hpa autoscalingv2.HorizontalPodAutoscaler
	w.get(t, controller.Namespace(name), "contacts", &hpa)
	if *hpa.Spec.MinReplicas != 4 || hpa.Spec.MaxReplicas != 8 {
		t.Errorf("HPA min %d max %d, want 4 and 8", *hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas)
	}
}

func TestDeletedChildrenAreRecreated(t *testing.T) {
	ns := controller.Namespace(readyTenant(t, "kids").Name)
	ctx := context.Background()
	objs := []client.Object{
		&appsv1.Deployment{}, &corev1.Service{}, &networkingv1.NetworkPolicy{},
		&autoscalingv2.HorizontalPodAutoscaler{}, &policyv1.PodDisruptionBudget{}, &corev1.ServiceAccount{},
	}
	for _, obj := range objs {
		w.get(t, ns, "sales", obj)
		old := obj.GetUID()
		if err := w.c.Delete(ctx, obj); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, waitFor, fmt.Sprintf("%T recreated", obj), func() (bool, string) {
			err := w.c.Get(ctx, client.ObjectKey{Namespace: ns, Name: "sales"}, obj)
			return err == nil && obj.GetUID() != old && obj.GetDeletionTimestamp().IsZero(), fmt.Sprint(err)
		})
	}
}

func TestDeletedDatabaseSecretComesBackWithNewPasswords(t *testing.T) {
	name := readyTenant(t, "secret").Name
	ctx := context.Background()
	sec := w.databaseSecret(t, name, "sales")
	if err := w.c.Delete(ctx, sec); err != nil {
		t.Fatal(err)
	}
	var fresh *corev1.Secret
	testkit.Eventually(t, waitFor, "database Secret recreated", func() (bool, string) {
		var s corev1.Secret
		err := w.c.Get(ctx, client.ObjectKeyFromObject(sec), &s)
		fresh = &s
		return err == nil && s.UID != sec.UID, fmt.Sprint(err)
	})
	d := postgres.For(name, "sales")
	for _, c := range []struct {
		key, role string
	}{{"DATABASE_URL", d.App}, {"DATABASE_MIGRATE_URL", d.Owner}} {
		u, err := url.Parse(string(fresh.Data[c.key]))
		if err != nil {
			t.Fatal(err)
		}
		password, _ := u.User.Password()
		old, _ := url.Parse(string(sec.Data[c.key]))
		oldPassword, _ := old.User.Password()
		if password == oldPassword || !testenv.PasswordIs(t, w.pgAdmin, c.role, password) {
			t.Errorf("%s: the new Secret's password is not new, or not the role's", c.key)
		}
	}
}
