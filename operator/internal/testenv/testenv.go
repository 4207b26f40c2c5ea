// Package testenv starts what the operator's tests run against: a real
// kube-apiserver and etcd (envtest, with the binaries `make tools` builds)
// with the Tenant CRD installed, and the real gateway binary on its own
// database.
package testenv

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// RepoRoot returns the repository root: the directory above the working
// directory that holds go.work.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal(errors.New("testenv: no go.work above the working directory"))
		}
		dir = parent
	}
}

// Kube starts a kube-apiserver and etcd with the operator's CRDs from
// config/crd/bases and stops them when the test ends.
func Kube(t testing.TB) *envtest.Environment {
	t.Helper()
	env := &envtest.Environment{
		BinaryAssetsDirectory: testkit.KubeAssets(t),
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(t), "operator", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	if _, err := env.Start(); err != nil {
		t.Fatalf("testenv: start envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("testenv: stop envtest: %v", err)
		}
	})
	return env
}
