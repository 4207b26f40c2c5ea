package proc_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/proc"
)

// readyAfter serves /readyz: 503 "warming up" for the first n asks, 200
// after; it counts the asks.
func readyAfter(t *testing.T, n int32) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" && asked.Add(1) > n {
			return
		}
		http.Error(w, "warming up", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	return srv, &asked
}

func TestWaitReadyServerUntil200(t *testing.T) {
	srv, asked := readyAfter(t, 2)
	if err := proc.WaitReady(context.Background(), srv.URL, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := asked.Load(); got != 3 {
		t.Errorf("asked /readyz %d times, want 3 (503 twice, then 200)", got)
	}
}

func TestWaitReadyServerTimeout(t *testing.T) {
	srv, _ := readyAfter(t, 1<<30)
	err := proc.WaitReady(context.Background(), srv.URL, 300*time.Millisecond)
	if !errors.Is(err, proc.ErrNotReady) {
		t.Fatalf("got %v, want ErrNotReady", err)
	}
	if want := "not ready after 300ms; last GET " + srv.URL + "/readyz: 503 Service Unavailable: warming up"; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
}

// TestWaitReadyServerStopped: a caller that learns its server stopped
// cancels the wait with a cause, which is the error.
func TestWaitReadyServerStopped(t *testing.T) {
	srv, _ := readyAfter(t, 1<<30)
	stopped := errors.New("the server stopped: boom")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(200*time.Millisecond, func() { cancel(stopped) })
	err := proc.WaitReady(ctx, srv.URL, time.Minute)
	if !errors.Is(err, stopped) || errors.Is(err, proc.ErrNotReady) {
		t.Errorf("got %v, want %v", err, stopped)
	}
}
