package controller_test

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
	"github.com/rapport-crm/rapport/operator/internal/testenv"
)

// TestRestartedOperatorRedoesNothing: a new operator finding a Ready tenant
// writes nothing.
func TestRestartedOperatorRedoesNothing(t *testing.T) {
	stop := w.startOperator(t, nil)
	name := uniqueName("again")
	w.mustCreate(t, dedicated(name))
	w.waitPhase(t, name, v1alpha1.PhaseReady)
	ns := controller.Namespace(name)
	ctx := context.Background()
	children := func() map[string]string {
		out := map[string]string{}
		lists := []client.ObjectList{
			&corev1.SecretList{}, &corev1.ServiceAccountList{}, &corev1.ServiceList{}, &appsv1.DeploymentList{},
			&autoscalingv2.HorizontalPodAutoscalerList{}, &policyv1.PodDisruptionBudgetList{}, &networkingv1.NetworkPolicyList{},
		}
		for _, l := range lists {
			if err := w.c.List(ctx, l, client.InNamespace(ns)); err != nil {
				t.Fatal(err)
			}
			items, _ := metaItems(l)
			for _, o := range items {
				out[fmt.Sprintf("%T/%s", l, o.GetName())] = o.GetResourceVersion()
			}
		}
		return out
	}
	// The baseline is what the first operator left once it has stopped: a
	// pass it had under way when Ready was first seen may still write.
	stop()
	before := w.tenant(t, name)
	oldChildren := children()
	oldEvents := len(w.eventReasons(t, name))
	secret := w.databaseSecret(t, name, "contacts")

	// The new operator lists every Tenant at start and reconciles each.
	baseline, queued := reconciles(t, "success"), queueDepth(t)
	w.startOperator(t, nil)
	testkit.Eventually(t, waitFor, "the new operator reconciled and has nothing left to do", func() (bool, string) {
		n := reconciles(t, "success") - baseline
		return n > 0 && idle(t, queued), fmt.Sprintf("%v successful reconciles, idle %v", n, idle(t, queued))
	})

	// Nothing may change from now on. No condition announces that nothing
	// happens, so the state is watched for a while; an Event the reconciles
	// recorded reaches the API server only after them.
	consistently(t, "nothing written across the restart", 500*time.Millisecond, func() (bool, string) {
		after := w.tenant(t, name)
		if after.ResourceVersion != before.ResourceVersion {
			return false, fmt.Sprintf("tenant resourceVersion %s → %s: the restart rewrote it\n%s", before.ResourceVersion, after.ResourceVersion, describe(after))
		}
		if got := children(); !maps.Equal(got, oldChildren) {
			return false, fmt.Sprintf("children changed across the restart:\nbefore %v\nafter  %v", oldChildren, got)
		}
		if n := len(w.eventReasons(t, name)); n != oldEvents {
			return false, fmt.Sprintf("%d events after the restart, want the %d from before", n, oldEvents)
		}
		return true, ""
	})
	u, _ := url.Parse(string(secret.Data["DATABASE_URL"]))
	password, _ := u.User.Password()
	if !testenv.PasswordIs(t, w.pgAdmin, postgres.For(name, "contacts").App, password) {
		t.Errorf("the role's password changed across the restart")
	}
}
