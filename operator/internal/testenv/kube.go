package testenv

import (
	"fmt"
	"path/filepath"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// kubeBinaries are the files envtest needs in its assets directory.
var kubeBinaries = []string{"kube-apiserver", "etcd"}

// KubeAssets returns the envtest assets directory: kube-apiserver and etcd
// as `make tools` builds them, or an error saying to run it.
func KubeAssets() (string, error) {
	dir := filepath.Join(testkit.ToolsDir(), "envtest")
	for _, name := range kubeBinaries {
		if err := testkit.CheckTool(filepath.Join(dir, name)); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// NewKube starts a kube-apiserver and etcd with the operator's CRDs from
// config/crd/bases; the caller must Stop it.
func NewKube() (*envtest.Environment, error) {
	assets, err := KubeAssets()
	if err != nil {
		return nil, err
	}
	root, err := proc.RepoRoot()
	if err != nil {
		return nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "operator", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	if _, err := env.Start(); err != nil {
		return nil, fmt.Errorf("start envtest: %w", err)
	}
	return env, nil
}
