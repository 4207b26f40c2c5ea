package pgcluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckReachable checks the error Start gives, as root, when the
// postgres OS user cannot search a parent of the data directory. The owner is
// a uid and gid that own nothing here, so the test runs as any user.
func TestCheckReachable(t *testing.T) {
	stranger := &owner{uid: uint32(os.Getuid()) + 54321, gid: uint32(os.Getgid()) + 54321, name: "stranger"}
	tests := []struct {
		name    string
		mode    os.FileMode
		wantErr string
	}{
		{"private parent", 0o700, "cannot reach"},
		{"searchable parent", 0o711, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			// t.TempDir nests parent in a private directory of the test's own.
			if err := os.Chmod(filepath.Dir(parent), 0o711); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(parent, tt.mode); err != nil {
				t.Fatal(err)
			}
			err := stranger.checkReachable(filepath.Join(parent, "data"))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
