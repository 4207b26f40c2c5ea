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

// logLevel is every process's LOG_LEVEL: info, so the log scan (ScanLog)
// reads what a production deployment writes, not only warnings.
const logLevel = "LOG_LEVEL=info"

// start runs bin with env (added to ours), its output into the test's stack
// log (scanned for credentials when the test ends), waits until base
// answers /readyz, and stops it when the test ends, printing the tail of
// its output if the test failed. It returns the process, which the test may
// stop sooner.
func start(t testing.TB, name, bin, base string, env []string) *proc.Process {
	t.Helper()
	log := logFor(t)
	p, err := proc.Start(proc.Config{Name: name, Path: bin, Env: append(append(os.Environ(), env...), logLevel), Output: log.writer(name)})
	if err != nil {
		t.Fatalf("stack: %v", err)
	}
	t.Cleanup(func() {
		p.Stop(5 * time.Second)
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, log.tail(name, 3000))
		}
	})
	if err := p.WaitReady(context.Background(), base, readyTimeout); err != nil {
		t.Fatalf("%v\n%s", err, log.tail(name, 3000))
	}
	return p
}
