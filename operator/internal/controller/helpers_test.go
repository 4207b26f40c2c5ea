package controller_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

func (w *world) mustCreate(t *testing.T, obj client.Object) {
	t.Helper()
	if err := w.c.Create(context.Background(), obj); err != nil {
		t.Fatalf("create %T %s: %v", obj, obj.GetName(), err)
	}
}

// tenant reads tenant name.
func (w *world) tenant(t *testing.T, name string) *v1alpha1.Tenant {
	t.Helper()
	var tn v1alpha1.Tenant
	if err := w.c.Get(context.Background(), client.ObjectKey{Name: name}, &tn); err != nil {
		t.Fatalf("get tenant %s: %v", name, err)
	}
	return &tn
}

// update reads tenant name, changes it with fn and writes it back,
// retrying on conflicts with the operator's writes.
func (w *world) update(t *testing.T, name string, fn func(*v1alpha1.Tenant)) {
	t.Helper()
	for range 10 {
		tn := w.tenant(t, name)
		fn(tn)
		err := w.c.Update(context.Background(), tn)
		if err == nil {
			return
		}
		if !apierrors.IsConflict(err) {
			t.Fatalf("update tenant %s: %v", name, err)
		}
	}
	t.Fatalf("update tenant %s: conflicts all along", name)
}

// consistently checks cond every 50 ms for d and fails the test, with what
// describes the state, as soon as it does not hold: for what must not
// happen, which no condition can announce.
func consistently(t *testing.T, what string, d time.Duration, cond func() (bool, string)) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok, last := cond(); !ok {
			t.Fatalf("%s: %s", what, last)
		}
	}
}

// waitPhase waits until tenant name reached phase for its current
// generation, and returns it.
func (w *world) waitPhase(t *testing.T, name string, phase v1alpha1.Phase) *v1alpha1.Tenant {
	t.Helper()
	var tn *v1alpha1.Tenant
	testkit.Eventually(t, waitFor, fmt.Sprintf("tenant %s %s", name, phase), func() (bool, string) {
		tn = w.tenant(t, name)
		return tn.Status.Phase == phase && tn.Status.ObservedGeneration == tn.Generation, describe(tn)
	})
	return tn
}

// waitCondition waits until condition typ of tenant name has status and
// reason, and returns the tenant.
func (w *world) waitCondition(t *testing.T, name, typ string, status metav1.ConditionStatus, reason string) *v1alpha1.Tenant {
	t.Helper()
	var tn *v1alpha1.Tenant
	testkit.Eventually(t, waitFor, fmt.Sprintf("tenant %s %s=%s (%s)", name, typ, status, reason), func() (bool, string) {
		tn = w.tenant(t, name)
		for _, c := range tn.Status.Conditions {
			if c.Type == typ {
				return c.Status == status && c.Reason == reason, describe(tn)
			}
		}
		return false, describe(tn)
	})
	return tn
}

// describe summarises a tenant's status for failure messages.
func describe(tn *v1alpha1.Tenant) string {
	var b strings.Builder
	fmt.Fprintf(&b, "phase %q generation %d observed %d;", tn.Status.Phase, tn.Generation, tn.Status.ObservedGeneration)
	for _, c := range tn.Status.Conditions {
		fmt.Fprintf(&b, " %s=%s (%s: %s);", c.Type, c.Status, c.Reason, c.Message)
	}
	return b.String()
}

// dedicated is a dedicated tenant on the test server with small topics and
// its databases dropped on deletion; mods change it further.
func dedicated(name string, mods ...func(*v1alpha1.Tenant)) *v1alpha1.Tenant {
	tn := &v1alpha1.Tenant{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.TenantSpec{
			DisplayName: "Tenant " + name,
			Tier:        v1alpha1.TierDedicated,
			Domains:     []string{name + ".crm.example.com"},
			Admin:       v1alpha1.AdminSpec{Email: "ops@" + name + ".example"},
			Database: &v1alpha1.DatabaseSpec{
				Server:         v1alpha1.SecretKeyRef{Name: adminSecret},
				RetainOnDelete: ptr.To(false),
			},
			Kafka: v1alpha1.KafkaSpec{Partitions: 3, ReplicationFactor: 1},
		},
	}
	for _, m := range mods {
		m(tn)
	}
	return tn
}

// shared is a shared-tier tenant.
func shared(name string, mods ...func(*v1alpha1.Tenant)) *v1alpha1.Tenant {
	tn := &v1alpha1.Tenant{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.TenantSpec{
			DisplayName: "Tenant " + name,
			Tier:        v1alpha1.TierShared,
			Domains:     []string{name + ".crm.example.com"},
			Admin:       v1alpha1.AdminSpec{Email: "ops@" + name + ".example"},
		},
	}
	for _, m := range mods {
		m(tn)
	}
	return tn
}

// uniqueName returns prefix plus random hex: tenants of different runs on
// the same PostgreSQL server never share a database name.
func uniqueName(prefix string) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}
