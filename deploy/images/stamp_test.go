package images

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDefaultStamp reads the chart's appVersion, HEAD and its commit time,
// or SOURCE_DATE_EPOCH when set, from a checkout.
func TestDefaultStamp(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "charts/rapport"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ChartFile), []byte("apiVersion: v2\nname: rapport\nversion: 0.1.0\nappVersion: \"4.5.6\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "chart"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GIT_COMMITTER_DATE=2026-03-04T05:06:07Z", "GIT_AUTHOR_DATE=2026-03-04T05:06:07Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	t.Setenv("SOURCE_DATE_EPOCH", "")
	s, err := DefaultStamp(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != "4.5.6" || len(s.Revision) != 40 || !s.Created.Equal(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)) {
		t.Fatalf("stamp %+v: want version 4.5.6, a commit id, the commit's time", s)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "0")
	if s, err := DefaultStamp(context.Background(), root); err != nil || !s.Created.Equal(time.Unix(0, 0)) {
		t.Fatalf("with SOURCE_DATE_EPOCH=0: %+v, %v", s, err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if _, err := DefaultStamp(context.Background(), root); err == nil || !strings.Contains(err.Error(), `"yesterday"`) {
		t.Fatalf("SOURCE_DATE_EPOCH=yesterday: %v, want an error naming it", err)
	}
}

// TestStampValidate refuses what cannot tag an image or be stamped in.
func TestStampValidate(t *testing.T) {
	good := Stamp{Version: "0.1.0", Revision: "abc123"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Stamp{{Version: "0.1 0", Revision: "abc"}, {Version: "0.1.0", Revision: ""}, {Version: "-x", Revision: "abc"}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v passed", bad)
		}
	}
	if _, err := AppVersion(t.TempDir()); err == nil || !strings.Contains(err.Error(), "Chart.yaml") {
		t.Fatalf("AppVersion of a tree without the chart: %v, want an error naming Chart.yaml", err)
	}
}
