package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ErrNotReady is matched by the error of WaitReady when the timeout passed.
var ErrNotReady = errors.New("not ready")

// pollEvery is how often WaitReady asks again.
const pollEvery = 100 * time.Millisecond

// WaitReady polls GET base/readyz until it answers 200: for a server this
// program or test started, in process or not. It fails when timeout passes
// (matching ErrNotReady, naming the URL and its last answer) or when ctx
// ends, with ctx's cause: a caller that knows the server stopped cancels
// ctx with a cause saying so.
func WaitReady(ctx context.Context, base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 3 * time.Second}
	url := base + "/readyz"
	last := "no answer yet"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
		} else if ctx.Err() == nil {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			if cause := context.Cause(ctx); !errors.Is(cause, context.DeadlineExceeded) {
				return cause
			}
			return &notReadyError{msg: fmt.Sprintf("not ready after %v; last GET %s: %s", timeout, url, last)}
		case <-time.After(pollEvery):
		}
	}
}

// errExited cancels a process's WaitReady when the process exits.
var errExited = errors.New("exited")

// WaitReady is the package's WaitReady for the process's server, naming
// the process; it also fails when the process exits, with its exit status.
// The tail of the kept output follows the message when proc kept it.
func (p *Process) WaitReady(ctx context.Context, base string, timeout time.Duration) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-p.done:
			cancel(errExited)
		case <-ctx.Done():
		}
	}()
	var notReady *notReadyError
	switch err := WaitReady(ctx, base, timeout); {
	case err == nil:
		return nil
	case errors.Is(err, errExited):
		return errors.New(p.withTail(fmt.Sprintf("%s exited before it was ready: %v", p.name, exitText(p.err))))
	case errors.As(err, &notReady):
		return &notReadyError{msg: p.withTail(p.name + ": " + notReady.msg)}
	default:
		return fmt.Errorf("%s: %w", p.name, err)
	}
}

// notReadyError is the error of a WaitReady that timed out.
type notReadyError struct{ msg string }

func (e *notReadyError) Error() string        { return e.msg }
func (e *notReadyError) Is(target error) bool { return target == ErrNotReady }

// exitText describes an exit status; nil is "exit status 0".
func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
