package controller_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/controller"
)

// TestUnreachableDependenciesAreRetriedWithBackOff breaks one dependency at
// a time: the tenant waits for it, retried with back-off, and becomes Ready
// once it is back.
func TestUnreachableDependenciesAreRetriedWithBackOff(t *testing.T) {
	tests := []struct {
		name       string
		breakIt    func(t *testing.T, cfg *controller.Config, tn *v1alpha1.Tenant)
		condition  string
		wantReason string
		// healByRestart restarts the operator with the good configuration;
		// otherwise heal fixes the world under the running one.
		healByRestart bool
		heal          func(t *testing.T, tn *v1alpha1.Tenant)
	}{
		{
			name: "database",
			breakIt: func(t *testing.T, _ *controller.Config, tn *v1alpha1.Tenant) {
				w.putSecret(t, "pg-"+tn.Name, "postgres://postgres@"+testkit.FreeAddr(t)+"/postgres?sslmode=disable&connect_timeout=2")
				tn.Spec.Database.Server.Name = "pg-" + tn.Name
			},
			condition: v1alpha1.ConditionDatabases, wantReason: v1alpha1.ReasonDatabaseUnreachable,
			heal: func(t *testing.T, tn *v1alpha1.Tenant) { w.putSecret(t, "pg-"+tn.Name, w.pgAdmin) },
		},
		{
			name: "admin DSN Secret missing",
			breakIt: func(t *testing.T, _ *controller.Config, tn *v1alpha1.Tenant) {
				tn.Spec.Database.Server.Name = "pg-later-" + tn.Name
			},
			condition: v1alpha1.ConditionDatabases, wantReason: v1alpha1.ReasonSecretNotFound,
			heal: func(t *testing.T, tn *v1alpha1.Tenant) { w.putSecret(t, "pg-later-"+tn.Name, w.pgAdmin) },
		},
		{
			name: "kafka",
			breakIt: func(t *testing.T, cfg *controller.Config, _ *v1alpha1.Tenant) {
				cfg.KafkaBrokers = []string{testkit.FreeAddr(t)}
				cfg.StepTimeout = time.Second
			},
			condition: v1alpha1.ConditionTopics, wantReason: v1alpha1.ReasonKafkaUnreachable, healByRestart: true,
		},
		{
			name: "gateway",
			breakIt: func(t *testing.T, cfg *controller.Config, _ *v1alpha1.Tenant) {
				cfg.GatewayURL = "http://" + testkit.FreeAddr(t)
			},
			condition: v1alpha1.ConditionRegistered, wantReason: v1alpha1.ReasonGatewayUnreachable, healByRestart: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := uniqueName("down")
			tn := dedicated(name)
			stop := w.startOperator(t, func(cfg *controller.Config) { tt.breakIt(t, cfg, tn) })
			w.mustCreate(t, tn)
			got := w.waitCondition(t, name, tt.condition, metav1.ConditionFalse, tt.wantReason)
			if got.Status.Phase != v1alpha1.PhaseProvisioning {
				t.Errorf("phase = %s, want %s", got.Status.Phase, v1alpha1.PhaseProvisioning)
			}
			if c := findCondition(got, v1alpha1.ConditionReady); c == nil || c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, tt.condition) {
				t.Errorf("Ready = %+v, want False waiting for %s", c, tt.condition)
			}

			// Back-off: 100 ms doubling to 2 s spaces four failed
			// reconciles by well over a second; a hot loop would fail four
			// times in milliseconds. The first passes are left out: the
			// objects the first one made come back as watch events, which
			// queue the Tenant at once beside its delayed retry, so the
			// opening failures can come closer together than back-off
			// alone would space them.
			moreFailures := func(what string, n float64) {
				before := reconciles(t, "error")
				testkit.Eventually(t, waitFor, what, func() (bool, string) {
					got := reconciles(t, "error") - before
					return got >= n, fmt.Sprintf("%v failed reconciles", got)
				})
			}
			moreFailures("two more failed reconciles", 2)
			start := time.Now()
			moreFailures("four more failed reconciles", 4)
			if took := time.Since(start); took < 700*time.Millisecond {
				t.Errorf("four more failed reconciles within %v, want them spaced by back-off (700 ms or more)", took)
			}
			testkit.Eventually(t, waitFor, "an event "+tt.wantReason, func() (bool, string) {
				reasons := w.eventReasons(t, name)
				return slices.Contains(reasons, tt.wantReason), fmt.Sprint(reasons)
			})

			if tt.healByRestart {
				stop()
				w.startOperator(t, nil)
			} else {
				tt.heal(t, tn)
			}
			w.waitPhase(t, name, v1alpha1.PhaseReady)
		})
	}
}
