// Package e2e tests Rapport end to end: real gateway and contacts binaries,
// real PostgreSQL, an in-process Kafka, every call over HTTP.
package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/proc"
)

// bins are the service binaries, built once per test binary by TestMain.
var bins stack.Binaries

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run builds the binaries into a temporary directory, runs the tests and
// removes the directory.
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "rapport-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	defer browser.Close() // the Chromium of the console's tests, if one started
	root, err := proc.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if bins, err = stack.Build(ctx, root, dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return m.Run()
}
