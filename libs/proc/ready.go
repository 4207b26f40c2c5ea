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

// WaitReady polls GET base/readyz until it answers 200. It fails, naming
// the process, when the process exits (with its exit status), when timeout
// passes (matching ErrNotReady, with the last answer) or when ctx ends; the
// tail of the kept output follows the message when proc kept it.
func (p *Process) WaitReady(ctx context.Context, base string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 3 * time.Second}
	url := base + "/readyz"
	last := "no answer yet"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
		} else {
			last = err.Error()
		}
		select {
		case <-p.done:
			return errors.New(p.withTail(fmt.Sprintf("%s exited before it was ready: %v", p.name, exitText(p.err))))
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return &notReadyError{msg: p.withTail(fmt.Sprintf("%s: not ready after %v; last GET %s: %s", p.name, timeout, url, last))}
			}
			return fmt.Errorf("%s: %w", p.name, ctx.Err())
		case <-time.After(pollEvery):
		}
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
