package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rapport-crm/rapport/libs/discovery"
)

// plan is what Handler decided about one request, handed to the transport
// through the request context.
type plan struct {
	service   string
	token     string               // the internal JWT
	requestID string               // the X-Request-Id to forward
	attempts  []discovery.Instance // in order; may repeat an instance
}

type planKey struct{}

// circuitOpenError is returned when every candidate upstream's circuit is
// open; wait is the shortest time until one lets a probe through.
type circuitOpenError struct {
	service string
	wait    time.Duration
}

func (e *circuitOpenError) Error() string {
	return fmt.Sprintf("proxy: every circuit of %s is open for %v", e.service, e.wait)
}

// retryPause is the pause before trying an instance that already failed
// this request.
const retryPause = 50 * time.Millisecond

// transport sends a request to the instances of its plan in turn: the next
// one is tried, for any method, when the dial failed (nothing was sent: a
// replica that is down or restarting), and for an idempotent method after
// any connection error; never once a byte of the body has been sent. Every
// outcome feeds the circuit breakers.
type transport struct {
	base     http.RoundTripper
	breakers *breakers
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	pl, _ := req.Context().Value(planKey{}).(*plan)
	if pl == nil || len(pl.attempts) == 0 {
		return nil, errors.New("proxy: request without an upstream plan")
	}
	var body *guardedBody
	if req.Body != nil && req.Body != http.NoBody {
		body = &guardedBody{rc: req.Body}
	}
	var (
		lastErr  error
		wait     time.Duration = -1
		triedBuf [4]string
		tried    = triedBuf[:0] // addresses attempted, in order
	)
	for _, inst := range pl.attempts {
		ok, w := t.breakers.allow(inst.Address)
		if !ok {
			if wait < 0 || w < wait {
				wait = w
			}
			continue
		}
		if slices.Contains(tried, inst.Address) {
			select {
			case <-time.After(retryPause):
			case <-req.Context().Done():
				t.breakers.release(inst.Address)
				return nil, req.Context().Err()
			}
		}
		tried = append(tried, inst.Address)
		out := *req
		u := *req.URL
		u.Host = inst.Address
		out.URL, out.Host = &u, ""
		if body != nil {
			out.Body = body
		}
		resp, err := t.base.RoundTrip(&out)
		if err == nil {
			t.breakers.done(inst.Address, !upstreamFailed(resp.StatusCode))
			return resp, nil
		}
		if req.Context().Err() != nil {
			t.breakers.release(inst.Address)
			return nil, err
		}
		t.breakers.done(inst.Address, false)
		lastErr = err
		if !retryable(req.Method, err) || (body != nil && body.read.Load()) {
			return nil, err
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, &circuitOpenError{service: pl.service, wait: wait}
}

// retryable reports whether a request with method that failed with err may
// go to the next instance: any method when the connection was never made,
// an idempotent one after any connection error.
func retryable(method string, err error) bool {
	return isDialError(err) || (isIdempotent(method) && isConnError(err))
}

// isIdempotent reports whether a request with method may be sent twice.
func isIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// upstreamFailed reports whether a response status counts as a failure of
// the upstream for its circuit breaker.
func upstreamFailed(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// isConnError reports whether err means the connection to the upstream
// could not be made or broke before any answer: a dial failure, a refused
// or reset connection.
func isConnError(err error) bool {
	return isDialError(err) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// isDialError reports whether err is a failure to connect: the request was
// not sent.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// isTimeout reports whether err is a timeout (dial, response header).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// guardedBody wraps the inbound body so that it survives a failed attempt:
// the transport's Close is ignored (the server closes the inbound body when
// the handler returns), and read says whether any byte was taken, after
// which a retry would send a truncated body.
type guardedBody struct {
	rc   io.ReadCloser
	read atomic.Bool
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.read.Store(true)
	}
	return n, err
}

func (b *guardedBody) Close() error { return nil }

// withPlan returns a copy of ctx carrying pl for the transport.
func withPlan(ctx context.Context, pl *plan) context.Context {
	return context.WithValue(ctx, planKey{}, pl)
}

// planFrom returns the plan stored by withPlan.
func planFrom(ctx context.Context) *plan {
	pl, _ := ctx.Value(planKey{}).(*plan)
	return pl
}
