package stack

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"

	"golang.org/x/sync/errgroup"
)

// Binaries are the paths of the built service binaries.
type Binaries struct {
	Gateway  string
	Contacts string
}

// Build compiles services/gateway/cmd/gateway and
// services/contacts/cmd/contacts from the repository at root (the directory
// holding go.work) into dir, both at once.
func Build(ctx context.Context, root, dir string) (Binaries, error) {
	b := Binaries{Gateway: filepath.Join(dir, "gateway"), Contacts: filepath.Join(dir, "contacts")}
	g, ctx := errgroup.WithContext(ctx)
	for out, pkg := range map[string]string{b.Gateway: "./services/gateway/cmd/gateway", b.Contacts: "./services/contacts/cmd/contacts"} {
		g.Go(func() error {
			cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
			cmd.Dir = root
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
			}
			return nil
		})
	}
	return b, g.Wait()
}

// RepoRoot returns the repository root seen from an e2e package directory:
// its parent holding go.work.
func RepoRoot() (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	for range 3 {
		if exists(filepath.Join(root, "go.work")) {
			return root, nil
		}
		root = filepath.Dir(root)
	}
	return "", fmt.Errorf("stack: no go.work above the working directory")
}
