package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// waitReady polls the child's GET /readyz until it answers 200. It fails,
// naming the service, when the child exits, the timeout passes or ctx ends.
func waitReady(ctx context.Context, c *child, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 3 * time.Second}
	url := c.svc.URL() + "/readyz"
	last := "no answer yet"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", c.svc.Name, err)
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
		case <-c.done:
			return fmt.Errorf("%s exited before it was ready: %v", c.svc.Name, c.err)
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return fmt.Errorf("%s: not ready after %v (RAPPORT_READY_TIMEOUT); last GET %s: %s", c.svc.Name, timeout, url, last)
			}
			return fmt.Errorf("%s: %w", c.svc.Name, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
