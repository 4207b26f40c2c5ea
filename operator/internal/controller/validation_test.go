package controller_test

import (
	"context"
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// TestInvalidSpecIsRefusedByTheAPIServer: the CRD's validation refuses bad
// tenants and bad changes; no operator runs.
func TestInvalidSpecIsRefusedByTheAPIServer(t *testing.T) {
	ctx := context.Background()
	creates := []struct {
		name      string
		tenant    *v1alpha1.Tenant
		wantField string
	}{
		{"domain that is no DNS name", shared("bad-domain", func(tn *v1alpha1.Tenant) { tn.Spec.Domains = []string{"Not_A.Domain"} }), "spec.domains[0]"},
		{"replicas above the bound", dedicated("too-many", func(tn *v1alpha1.Tenant) {
			tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"contacts": {Replicas: 21}}
		}), "spec.services.contacts.replicas"},
		{"replicas below the bound", dedicated("too-few", func(tn *v1alpha1.Tenant) {
			tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"contacts": {Replicas: -1}}
		}), "spec.services.contacts.replicas"},
		{"autoscaler ceiling below replicas", dedicated("low-ceiling", func(tn *v1alpha1.Tenant) {
			tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"contacts": {Replicas: 4, MaxReplicas: ptr.To[int32](2)}}
		}), "spec.services[contacts].maxReplicas"},
		{"unknown service", dedicated("billing", func(tn *v1alpha1.Tenant) {
			tn.Spec.Services = map[string]v1alpha1.ServiceSpec{"billing": {Replicas: 1}}
		}), "spec.services"},
		{"dedicated without a database", dedicated("no-db", func(tn *v1alpha1.Tenant) { tn.Spec.Database = nil }), "spec.database"},
		{"administrator without an email", shared("no-email", func(tn *v1alpha1.Tenant) { tn.Spec.Admin.Email = "nobody" }), "spec.admin.email"},
		{"name with a dot", shared("dot.name"), "metadata.name"},
		{"unknown tier", shared("tierless", func(tn *v1alpha1.Tenant) { tn.Spec.Tier = "premium" }), "spec.tier"},
	}
	for _, tt := range creates {
		t.Run(tt.name, func(t *testing.T) {
			err := w.c.Create(ctx, tt.tenant)
			if err == nil {
				_ = w.c.Delete(ctx, tt.tenant)
				t.Fatalf("create was accepted, want it refused naming %s", tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("error = %v, want it to name %s", err, tt.wantField)
			}
		})
	}

	// The operator does not run here: these tenants are never reconciled,
	// so they carry no finalizer and go at once.
	base := dedicated(uniqueName("fixed"))
	w.mustCreate(t, base)
	t.Cleanup(func() { _ = w.c.Delete(ctx, base) })
	updates := []struct {
		name      string
		change    func(*v1alpha1.Tenant)
		wantField string
	}{
		{"tier change", func(tn *v1alpha1.Tenant) { tn.Spec.Tier = v1alpha1.TierShared }, "spec.tier"},
		{"fewer partitions", func(tn *v1alpha1.Tenant) { tn.Spec.Kafka.Partitions = 2 }, "spec.kafka.partitions"},
		{"another replication factor", func(tn *v1alpha1.Tenant) { tn.Spec.Kafka.ReplicationFactor = 2 }, "spec.kafka.replicationFactor"},
	}
	for _, tt := range updates {
		t.Run(tt.name, func(t *testing.T) {
			tn := w.tenant(t, base.Name)
			tt.change(tn)
			err := w.c.Update(ctx, tn)
			if err == nil {
				t.Fatalf("update was accepted, want it refused naming %s", tt.wantField)
			}
			if !strings.Contains(err.Error(), tt.wantField) {
				t.Errorf("error = %v, want it to name %s", err, tt.wantField)
			}
		})
	}
	t.Run("more partitions are accepted", func(t *testing.T) {
		tn := w.tenant(t, base.Name)
		tn.Spec.Kafka.Partitions = 12
		if err := w.c.Update(ctx, tn); err != nil {
			t.Errorf("update: %v", err)
		}
	})
}
