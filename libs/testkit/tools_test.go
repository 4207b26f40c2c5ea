package testkit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/testkit"
)

func TestToolsDir(t *testing.T) {
	tests := []struct {
		name             string
		tools, xdg, home string
		want             string
	}{
		{name: "explicit", tools: "/opt/tools", xdg: "/x", home: "/h", want: "/opt/tools"},
		{name: "xdg cache", xdg: "/x", home: "/h", want: filepath.Join("/x", "rapport", "tools")},
		{name: "home", home: "/h", want: filepath.Join("/h", ".cache", "rapport", "tools")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("RAPPORT_TOOLS_DIR", tt.tools)
			t.Setenv("XDG_CACHE_HOME", tt.xdg)
			t.Setenv("HOME", tt.home)
			if got := testkit.ToolsDir(); got != tt.want {
				t.Errorf("ToolsDir() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckTool(t *testing.T) {
	dir := t.TempDir()
	exe, plain := filepath.Join(dir, "exe"), filepath.Join(dir, "plain")
	for path, mode := range map[string]os.FileMode{exe: 0o755, plain: 0o644} {
		if err := os.WriteFile(path, nil, mode); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path, want string
	}{
		{exe, ""},
		{plain, "plain is not an executable file: run `make tools`"},
		{dir, "is not an executable file: run `make tools`"},
		{filepath.Join(dir, "kube-apiserver"), "kube-apiserver not built: run `make tools`"},
	}
	for _, tt := range tests {
		err := testkit.CheckTool(tt.path)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckTool(%s) = %v, want %q", tt.path, err, tt.want)
		}
	}
}

// fatalRecorder records the message of Fatalf and ends the goroutine, so a
// test can check how a helper fails a test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
