package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
)

// startChild starts svc's binary in dir with env, its output prefixed through
// w (one writer for stdout and stderr, so their lines keep their order).
func startChild(svc Service, dir string, env []string, w *lineWriter) (*proc.Process, error) {
	return proc.Start(proc.Config{Name: svc.Name, Path: svc.Bin, Dir: dir, Env: env, Output: w})
}

// waitReady waits until svc's child answers GET /readyz, naming the setting
// that gives it longer when it timed out.
func waitReady(ctx context.Context, c *proc.Process, svc Service, timeout time.Duration) error {
	err := c.WaitReady(ctx, svc.URL(), timeout)
	if errors.Is(err, proc.ErrNotReady) {
		return fmt.Errorf("%w (RAPPORT_READY_TIMEOUT)", err)
	}
	return err
}
