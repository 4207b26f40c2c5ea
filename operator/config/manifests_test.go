// Package config_test checks the operator's kustomize tree: that what
// controller-gen generates into it is current, and that it renders.
package config_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestManifestsUpToDate regenerates the deep-copy code, the CRD and the
// RBAC role into a temporary directory with the pinned controller-gen and
// fails when they differ from what is committed: run
// `make -C operator manifests`.
func TestManifestsUpToDate(t *testing.T) {
	gen := filepath.Join(testkit.ToolsDir(), "controller-gen", "controller-gen")
	if _, err := os.Stat(gen); err != nil {
		t.Fatalf("controller-gen not built: run `make tools` (%v)", err)
	}
	module, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(gen, args...)
		cmd.Dir = module
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("controller-gen %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return stdout.Bytes()
	}
	deepcopy := run("object", "paths=./api/...", "output:object:stdout")
	run("crd", "rbac:roleName=rapport-operator", "paths=./...",
		"output:crd:dir="+filepath.Join(out, "crd"), "output:rbac:dir="+filepath.Join(out, "rbac"))

	tests := []struct {
		name      string
		committed string
		want      []byte
	}{
		{"deep copy", "../api/v1alpha1/zz_generated.deepcopy.go", deepcopy},
		{"CRD", "crd/bases/crm.rapport.dev_tenants.yaml", read(t, filepath.Join(out, "crd", "crm.rapport.dev_tenants.yaml"))},
		{"TenantBackup CRD", "crd/bases/crm.rapport.dev_tenantbackups.yaml", read(t, filepath.Join(out, "crd", "crm.rapport.dev_tenantbackups.yaml"))},
		{"TenantRestore CRD", "crd/bases/crm.rapport.dev_tenantrestores.yaml", read(t, filepath.Join(out, "crd", "crm.rapport.dev_tenantrestores.yaml"))},
		{"RBAC role", "rbac/role.yaml", read(t, filepath.Join(out, "rbac", "role.yaml"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := read(t, tt.committed); !bytes.Equal(got, tt.want) {
				t.Errorf("%s is stale: run `make -C operator manifests`", tt.committed)
			}
		})
	}
	generated, err := filepath.Glob(filepath.Join(out, "crd", "*.yaml"))
	if err != nil || len(generated) != 3 {
		t.Errorf("controller-gen wrote CRDs %v, want exactly the Tenant, TenantBackup and TenantRestore CRDs in config/crd/bases", generated)
	}
}

// TestDefaultRenders builds config/default with kubectl's kustomize and
// checks it holds what a cluster needs.
func TestDefaultRenders(t *testing.T) {
	out, err := exec.Command("kubectl", "kustomize", "default").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize default: %v\n%s", err, out)
	}
	for _, want := range []string{
		"kind: CustomResourceDefinition\nmetadata:\n  annotations:",
		"name: tenants.crm.rapport.dev",
		"kind: ClusterRole\nmetadata:\n  name: rapport-operator",
		"kind: Deployment\nmetadata:\n  labels:",
		"image: ghcr.io/rapport-crm/operator:0.1.0",
		"serviceAccountName: rapport-operator",
		"name: GATEWAY_PLATFORM_TOKEN",
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("rendered config/default lacks %q", want)
		}
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
