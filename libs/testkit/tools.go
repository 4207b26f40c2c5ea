package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

// ToolsDir returns the cache `make tools` builds the test binaries into:
// $RAPPORT_TOOLS_DIR, else $XDG_CACHE_HOME/rapport/tools, else
// ~/.cache/rapport/tools (the same default as scripts/tools.sh).
func ToolsDir() string {
	if dir := os.Getenv("RAPPORT_TOOLS_DIR"); dir != "" {
		return dir
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "rapport", "tools")
}

// kubeBinaries are the files envtest needs in its assets directory.
var kubeBinaries = []string{"kube-apiserver", "etcd"}

// KubeAssets returns the envtest assets directory (kube-apiserver and etcd
// built by `make tools`) and points KUBEBUILDER_ASSETS at it for the rest of
// the test. It fails the test, never skips it, when a binary is missing.
func KubeAssets(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(ToolsDir(), "envtest")
	for _, name := range kubeBinaries {
		requireTool(t, filepath.Join(dir, name))
	}
	t.Setenv("KUBEBUILDER_ASSETS", dir)
	return dir
}

// requireTool fails the test unless path is an executable file.
func requireTool(t testing.TB, path string) {
	t.Helper()
	info, err := os.Stat(path)
	switch {
	case err != nil:
		t.Fatalf("testkit: %s not built: run `make tools` (%v)", filepath.Base(path), err)
	case info.IsDir() || info.Mode().Perm()&0o111 == 0:
		t.Fatalf("testkit: %s is not an executable file: run `make tools`", path)
	}
}
