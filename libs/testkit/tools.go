package testkit

import (
	"fmt"
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

// CheckTool returns nil if path is an executable file, else an error
// saying to run `make tools`.
func CheckTool(path string) error {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("%s not built: run `make tools` (%v)", filepath.Base(path), err)
	case info.IsDir() || info.Mode().Perm()&0o111 == 0:
		return fmt.Errorf("%s is not an executable file: run `make tools`", path)
	}
	return nil
}

// requireTool fails the test unless path is an executable file.
func requireTool(t testing.TB, path string) {
	t.Helper()
	if err := CheckTool(path); err != nil {
		t.Fatalf("testkit: %v", err)
	}
}
