package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
)

// child is one process the launcher runs, with what it needs to start it
// again (the control API's restart).
type child struct {
	svc   Service
	env   []string
	dir   string
	out   func() *lineWriter // a fresh writer of the process's lines per start
	logf  func(string, ...any)
	watch context.Context // the platform's run: exits are reported while it lasts

	mu       sync.Mutex
	p        *proc.Process
	paused   bool
	expected bool // the running process's end was asked for (kill, restart, stop)
}

// start runs the process; a previous one must have exited.
func (c *child) start() error {
	p, err := startChild(c.svc, c.dir, c.env, c.out())
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.p, c.paused, c.expected = p, false, false
	c.mu.Unlock()
	go c.report(p)
	return nil
}

// report says when p exits unasked while the platform runs; the others
// keep running.
func (c *child) report(p *proc.Process) {
	select {
	case <-p.Done():
	case <-c.watch.Done():
		return
	}
	c.mu.Lock()
	expected := c.expected && c.p == p
	c.mu.Unlock()
	if c.watch.Err() == nil && !expected {
		c.logf("%s exited: %v (the others keep running; Ctrl-C stops all)", c.svc.Label(), exitText(p.Err()))
	}
}

// process returns the current process.
func (c *child) process() *proc.Process {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.p
}

// kill sends SIGKILL to the process's group and returns at once.
func (c *child) kill() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expected = true
	c.paused = false
	return signalGroup(c.p, syscall.SIGKILL)
}

// restart kills the process if it runs, starts it again and returns what
// ready (the wait for the new process to be ready) returns.
func (c *child) restart(ctx context.Context, ready func(*proc.Process) error) error {
	if err := c.kill(); err != nil {
		return err
	}
	select {
	case <-c.process().Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := c.start(); err != nil {
		return err
	}
	return ready(c.process())
}

// pause stops the process's group with SIGSTOP; resume continues it.
func (c *child) pause() error { return c.setPaused(true, syscall.SIGSTOP) }

// resume continues a paused process with SIGCONT.
func (c *child) resume() error { return c.setPaused(false, syscall.SIGCONT) }

// setPaused signals the process and returns once the kernel shows it
// stopped (or no longer stopped): a signal is delivered asynchronously.
func (c *child) setPaused(paused bool, sig syscall.Signal) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := signalGroup(c.p, sig); err != nil {
		return err
	}
	c.paused = paused
	for range stateChecks {
		stopped, known := stoppedState(c.p.Pid())
		if !known || stopped == paused || c.p.Exited() {
			return nil
		}
		time.Sleep(stateCheckEvery)
	}
	return fmt.Errorf("%s: still not %s after %v", c.svc.ProcName(), map[bool]string{true: "stopped", false: "running"}[paused], stateChecks*stateCheckEvery)
}

// How setPaused waits for the kernel to apply SIGSTOP or SIGCONT.
const (
	stateChecks     = 500
	stateCheckEvery = 10 * time.Millisecond
)

// stoppedState reads whether pid is stopped (state T in /proc/<pid>/stat);
// known is false where there is no /proc.
func stoppedState(pid int) (stopped, known bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false, false
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // pid (comm) state ...
	return len(fields) > 0 && fields[0] == "T", len(fields) > 0
}

// state reports the process's pid, whether it runs and whether it is
// paused.
func (c *child) state() (pid int, running, paused bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.p.Pid(), !c.p.Exited(), c.paused && !c.p.Exited()
}

// signalGroup signals p's process group; one that has exited is left
// alone.
func signalGroup(p *proc.Process, sig syscall.Signal) error {
	if p.Exited() {
		return nil
	}
	if err := syscall.Kill(-p.Pid(), sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("signal %s: %w", p.Name(), err)
	}
	return nil
}

// stopChildren stops every process as the launcher stops: paused ones are
// continued first so they can take SIGTERM.
func stopChildren(children []*child, force <-chan struct{}, logf func(string, ...any)) {
	ps := make([]*proc.Process, 0, len(children))
	for _, c := range children {
		c.mu.Lock()
		c.expected = true
		if c.paused {
			signalGroup(c.p, syscall.SIGCONT)
			c.paused = false
		}
		ps = append(ps, c.p)
		c.mu.Unlock()
	}
	proc.StopAll(ps, stopGrace, force, logf)
}

// find returns the child called name ("contacts-1").
func find(children []*child, name string) (*child, error) {
	for _, c := range children {
		if c.svc.ProcName() == name {
			return c, nil
		}
	}
	return nil, errUnknownProcess.WithDetail("the launcher runs no process called %q (GET /processes lists them)", name)
}
