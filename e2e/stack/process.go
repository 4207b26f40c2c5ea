package stack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// readyTimeout bounds how long a service may take to answer /readyz.
const readyTimeout = 60 * time.Second

// process is one running service binary.
type process struct {
	name, log string
	cmd       *exec.Cmd
	exited    chan struct{}
}

// start runs bin with env (added to ours) and its output in a file under
// dir, and stops it when the test ends, printing the log tail if the test
// failed.
func start(t testing.TB, name, bin, dir string, env []string) *process {
	t.Helper()
	p := &process{name: name, log: dir + "/" + name + ".log", exited: make(chan struct{})}
	f, err := os.Create(p.log)
	if err != nil {
		t.Fatalf("stack: %s log: %v", name, err)
	}
	p.cmd = exec.Command(bin)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("stack: start %s: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		f.Close()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%s log (tail):\n%s", name, tail(p.log, 3000))
		}
	})
	return p
}

// stop sends SIGTERM and, after 5 s, SIGKILL.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// waitReady polls base/readyz until it answers 200, the process exits or
// readyTimeout passes.
func (p *process) waitReady(base string) error {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready: %v\n%s", p.name, p.cmd.ProcessState, tail(p.log, 3000))
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("%s not ready after %s", p.name, readyTimeout), errors.New(tail(p.log, 3000)))
		case <-tick.C:
		}
	}
}

// tail returns up to the last n bytes of the file at path.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
