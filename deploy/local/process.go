package main

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

// child is one running service process, leader of its own process group.
type child struct {
	svc  Service
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // its exit status; read only after done
}

// startChild starts svc's binary in dir with env, its output prefixed through
// w (one writer for stdout and stderr, so their lines keep their order).
func startChild(svc Service, dir string, env []string, w *lineWriter) (*child, error) {
	cmd := exec.Command(svc.Bin)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.SysProcAttr = childSysProcAttr()
	// A grandchild still holding the output pipe must not block Wait forever.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", svc.Name, svc.Bin, err)
	}
	c := &child{svc: svc, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		w.Flush()
		close(c.done)
	}()
	return c, nil
}

// exited reports whether the process has exited.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// signalGroup sends sig to the child's whole process group.
func (c *child) signalGroup(sig syscall.Signal) error {
	err := syscall.Kill(-c.cmd.Process.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil // the group is gone already
	}
	return err
}

// stopChildren sends SIGTERM to every child's process group, waits up to
// grace for them to exit (less if force is closed, e.g. by a second Ctrl-C),
// then SIGKILLs every group, stragglers included, and waits for the leaders.
func stopChildren(children []*child, grace time.Duration, force <-chan struct{}, logf func(string, ...any)) {
	if len(children) == 0 {
		return
	}
	for _, c := range children {
		if !c.exited() {
			if err := c.signalGroup(syscall.SIGTERM); err != nil {
				logf("%s: SIGTERM: %v", c.svc.Name, err)
			}
		}
	}
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
wait:
	for _, c := range children {
		select {
		case <-c.done:
		case <-deadline.C:
			break wait
		case <-force:
			break wait
		}
	}
	for _, c := range children {
		if !c.exited() {
			logf("%s did not stop within %v; killing it", c.svc.Name, grace)
		}
		// Kill the group even when the leader exited, so no grandchild lingers.
		if err := c.signalGroup(syscall.SIGKILL); err != nil {
			logf("%s: SIGKILL: %v", c.svc.Name, err)
		}
	}
	for _, c := range children {
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			logf("%s (pid %d) still has not exited after SIGKILL", c.svc.Name, c.cmd.Process.Pid)
		}
	}
}
