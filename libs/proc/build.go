package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Build compiles the command packages pkgs ("./services/gateway/cmd/gateway")
// of the workspace at root into dir with one go build, each binary named
// after its package's directory. The compiler's output is in the error.
func Build(ctx context.Context, root, dir string, pkgs ...string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return errors.New("build: the go command is not in PATH")
	}
	args := append([]string{"build", "-o", filepath.Clean(dir) + string(filepath.Separator)}, pkgs...)
	cmd := exec.CommandContext(ctx, goBin, args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// RepoRoot returns the repository root: the nearest directory holding
// go.work at or above the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work found above the working directory")
		}
		dir = parent
	}
}
