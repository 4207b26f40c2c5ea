// Package testenv starts what the operator's tests run against: a real
// kube-apiserver and etcd (envtest, with the binaries `make tools` builds)
// with the Tenant CRD installed, and the real gateway binary on its own
// database. Each comes in two forms: one for a test, stopped when it ends,
// and one for a TestMain that shares it between tests (NewKube, NewGateway).
package testenv

import (
	"testing"

	"github.com/rapport-crm/rapport/libs/proc"
)

// RepoRoot returns the repository root: the directory above the working
// directory that holds go.work.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, err := proc.RepoRoot()
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return root
}
