package main

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
)

// binary is a service binary built into a temporary directory.
type binary struct{ path string }

// buildBinary compiles the command package pkg ("./services/gateway/cmd/gateway")
// of the repository at root into dir.
func buildBinary(ctx context.Context, root, dir, pkg string) (binary, error) {
	if err := proc.Build(ctx, root, dir, pkg); err != nil {
		return binary{}, err
	}
	return binary{path: filepath.Join(dir, filepath.Base(pkg))}, nil
}

// start runs the binary with env (added to ours) and waits until base/readyz
// answers 200; stop ends it with SIGTERM, and SIGKILL after 10 s.
func (b binary) start(ctx context.Context, base string, env []string) (stop func(), err error) {
	p, err := b.run(ctx, base, env)
	if err != nil {
		return nil, err
	}
	return func() { p.Stop(10 * time.Second) }, nil
}

// run is start returning the process, for a part that watches it.
func (b binary) run(ctx context.Context, base string, env []string) (*proc.Process, error) {
	p, err := proc.Start(proc.Config{Path: b.path, Env: append(os.Environ(), env...)})
	if err != nil {
		return nil, err
	}
	if err := p.WaitReady(ctx, base, 60*time.Second); err != nil {
		p.Stop(10 * time.Second)
		return nil, err
	}
	return p, nil
}
