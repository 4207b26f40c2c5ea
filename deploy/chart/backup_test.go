package chart

import (
	"slices"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
)

// backupEnv are the variables operator.backup sets on the operator.
var backupEnv = []string{"BACKUP_URL", "PG_BIN_DIR", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_ENDPOINT_URL"}

// TestOperatorBackupEnv: with operator.backup set (ci/all-values.yaml) the
// operator gets BACKUP_URL and PG_BIN_DIR, the store's credentials from the
// existing Secret (the optional keys marked optional) and egress to the
// store; without it (ci/minimal-values.yaml) none of them, so backups are
// off by default.
func TestOperatorBackupEnv(t *testing.T) {
	t.Run("all values", func(t *testing.T) {
		objs := renderCI(t, "ci/all-values.yaml")
		ctr := serviceContainer(t, objs, "operator")
		if got, want := envValue(ctr, "BACKUP_URL"), "s3://rapport-backups?region=eu-west-1&endpoint=https://minio.storage.svc:9000"; got != want {
			t.Errorf("BACKUP_URL = %q, want %q", got, want)
		}
		if got, want := envValue(ctr, "PG_BIN_DIR"), "/usr/lib/postgresql/17/bin"; got != want {
			t.Errorf("PG_BIN_DIR = %q, want %q", got, want)
		}
		for _, key := range backupEnv[2:] {
			ref := envSecret(ctr, key)
			if ref == nil || ref.Name != "rapport-backup-store" || ref.Key != key {
				t.Errorf("%s = %+v, want key %s of the Secret rapport-backup-store", key, ref, key)
				continue
			}
			wantOptional := key != "AWS_ACCESS_KEY_ID" && key != "AWS_SECRET_ACCESS_KEY"
			if got := ref.Optional != nil && *ref.Optional; got != wantOptional {
				t.Errorf("%s optional = %v, want %v", key, got, wantOptional)
			}
		}
		pol := servicePolicy(t, objs, "operator")
		if !slices.ContainsFunc(pol.Spec.Egress, func(r networkingv1.NetworkPolicyEgressRule) bool {
			return len(r.To) == 1 && r.To[0].IPBlock != nil && r.To[0].IPBlock.CIDR == "10.20.0.0/16" &&
				slices.ContainsFunc(r.Ports, func(p networkingv1.NetworkPolicyPort) bool { return p.Port.IntValue() == 9000 })
		}) {
			t.Errorf("the operator's NetworkPolicy has no egress to the backup store 10.20.0.0/16:9000: %+v", pol.Spec.Egress)
		}
	})
	t.Run("minimal values", func(t *testing.T) {
		objs := renderCI(t, "ci/minimal-values.yaml")
		ctr := serviceContainer(t, objs, "operator")
		for _, name := range backupEnv {
			if hasEnv(ctr, name) {
				t.Errorf("the operator has %s without operator.backup.url", name)
			}
		}
	})
}
