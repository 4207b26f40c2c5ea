package proc

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Config says what to run.
type Config struct {
	// Name names the process in errors; the binary's base name if empty.
	Name string
	// Path is the binary; Args its arguments.
	Path string
	Args []string
	// Dir is the working directory; ours if empty.
	Dir string
	// Env is the whole environment of the process; ours if nil.
	Env []string
	// Output receives stdout and stderr through one writer, so their
	// lines keep their order; if it has a Flush() method, that is called
	// once the process has exited. When Output is nil, proc keeps the last
	// MiB of output itself and adds its tail to the errors of WaitReady.
	Output io.Writer
}

// keptOutput is how much output a Process keeps when Config.Output is nil.
const keptOutput = 1 << 20

// Process is a running child process, leader of its own process group.
type Process struct {
	name string
	cmd  *exec.Cmd
	kept *tail // nil when the output goes to Config.Output
	done chan struct{}
	err  error // the exit status; read only after done
}

// Start starts the process described by cfg.
func Start(cfg Config) (*Process, error) {
	p := &Process{name: cfg.Name, done: make(chan struct{})}
	if p.name == "" {
		p.name = filepath.Base(cfg.Path)
	}
	out := cfg.Output
	if out == nil {
		p.kept = newTail(keptOutput)
		out = p.kept
	}
	cmd := exec.Command(cfg.Path, cfg.Args...)
	cmd.Dir = cfg.Dir
	cmd.Env = cfg.Env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	// A grandchild still holding the output pipe must not block Wait forever.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", p.name, cfg.Path, err)
	}
	p.cmd = cmd
	go func() {
		p.err = cmd.Wait()
		if f, ok := out.(interface{ Flush() }); ok {
			f.Flush()
		}
		close(p.done)
	}()
	return p, nil
}

// Name is the name the process goes by in errors.
func (p *Process) Name() string { return p.name }

// Pid is the process id, also the id of its process group.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed once the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is the process's exit status once Done is closed: nil for exit
// status 0, else an *exec.ExitError or what Wait reported.
func (p *Process) Err() error {
	<-p.done
	return p.err
}

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Tail returns up to the last n bytes of the output proc kept (all it kept
// when n <= 0), or "" when the output went to Config.Output.
func (p *Process) Tail(n int) string {
	if p.kept == nil {
		return ""
	}
	return p.kept.last(n)
}

// withTail appends the tail of the kept output to a message.
func (p *Process) withTail(msg string) string {
	if p.kept == nil {
		return msg
	}
	return msg + "\n" + p.kept.last(tailInErrors)
}

// tailInErrors is how much kept output an error of WaitReady shows.
const tailInErrors = 3000

// signal sends sig to the process's whole group; a group that is gone
// already is no error.
func (p *Process) signal(sig syscall.Signal) error {
	err := syscall.Kill(-p.cmd.Process.Pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}
