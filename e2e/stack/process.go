package stack

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
)

// readyTimeout bounds how long a service may take to answer /readyz.
const readyTimeout = 60 * time.Second

// start runs bin with env (added to ours), waits until base answers
// /readyz, and stops it when the test ends, printing the tail of its output
// if the test failed. It returns the process, which the test may stop
// sooner.
func start(t testing.TB, name, bin, base string, env []string) *proc.Process {
	t.Helper()
	p, err := proc.Start(proc.Config{Name: name, Path: bin, Env: append(os.Environ(), env...)})
	if err != nil {
		t.Fatalf("stack: %v", err)
	}
	t.Cleanup(func() {
		p.Stop(5 * time.Second)
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, p.Tail(3000))
		}
	})
	if err := p.WaitReady(context.Background(), base, readyTimeout); err != nil {
		t.Fatal(err)
	}
	return p
}
