package proc

import (
	"syscall"
	"time"
)

// Stop ends p and everything it started: StopAll of p alone.
func (p *Process) Stop(grace time.Duration) { StopAll([]*Process{p}, grace, nil, nil) }

// StopAll sends SIGTERM to every process's group, waits up to grace for
// them to exit (less if force is closed, e.g. by a second Ctrl-C), then
// SIGKILLs every group, stragglers and grandchildren included, and waits
// for the leaders. logf, if not nil, hears what went wrong.
func StopAll(ps []*Process, grace time.Duration, force <-chan struct{}, logf func(string, ...any)) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	for _, p := range ps {
		if !p.Exited() {
			if err := p.signal(syscall.SIGTERM); err != nil {
				logf("%s: SIGTERM: %v", p.name, err)
			}
		}
	}
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
wait:
	for _, p := range ps {
		select {
		case <-p.done:
		case <-deadline.C:
			break wait
		case <-force:
			break wait
		}
	}
	for _, p := range ps {
		if !p.Exited() {
			logf("%s did not stop within %v; killing it", p.name, grace)
		}
		// Kill the group even when the leader exited, so no grandchild lingers.
		if err := p.signal(syscall.SIGKILL); err != nil {
			logf("%s: SIGKILL: %v", p.name, err)
		}
	}
	for _, p := range ps {
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			logf("%s (pid %d) still has not exited after SIGKILL", p.name, p.Pid())
		}
	}
}
