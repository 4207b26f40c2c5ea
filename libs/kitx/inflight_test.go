package kitx_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// TestOverloadLimitShedsBeyondTheBound holds max requests inside the
// handler and checks that the next is answered 503 with Retry-After at once,
// that exempt requests and streams pass, and that a freed place is reused.
func TestOverloadLimitShedsBeyondTheBound(t *testing.T) {
	const max = 3
	entered, release := make(chan struct{}), make(chan struct{})
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			entered <- struct{}{}
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	})
	h := kitx.LimitInFlight(inner, max, func(r *http.Request) bool { return r.URL.Path == "/livez" })
	var held sync.WaitGroup
	for range max {
		held.Go(func() { serve(h, "/hold", nil) })
		<-entered
	}
	rec := serve(h, "/v1/contacts", nil)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != kitx.RetryAfterSeconds {
		t.Fatalf("beyond the bound: %d, Retry-After %q; want 503 with %s", rec.Code, rec.Header().Get("Retry-After"), kitx.RetryAfterSeconds)
	}
	if ct := rec.Header().Get("Content-Type"); ct != kitx.ProblemContentType {
		t.Errorf("content type %q, want %q", ct, kitx.ProblemContentType)
	}
	if body := rec.Body.String(); !strings.Contains(body, kitx.ProblemTypeBase+"overloaded") {
		t.Errorf("body %s does not name the overloaded problem", body)
	}
	for _, c := range []struct {
		path   string
		header http.Header
	}{
		{"/livez", nil},
		{"/v1/socket", http.Header{"Upgrade": {"websocket"}}},
		{"/v1/stream", http.Header{"Accept": {"text/event-stream"}}},
	} {
		if rec := serve(h, c.path, c.header); rec.Code != http.StatusNoContent {
			t.Errorf("%s while full: %d, want it never shed", c.path, rec.Code)
		}
	}
	release <- struct{}{} // one held request ends: its place is free again
	go func() {
		for range max - 1 {
			release <- struct{}{}
		}
	}()
	held.Wait()
	if rec := serve(h, "/v1/contacts", nil); rec.Code != http.StatusNoContent {
		t.Errorf("after the held requests ended: %d, want 204", rec.Code)
	}
}

// TestOverloadLimitOffWithoutBound checks that max ≤ 0 leaves the handler
// as it was.
func TestOverloadLimitOffWithoutBound(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := kitx.LimitInFlight(inner, 0, nil)
	if rec := serve(h, "/", nil); rec.Code != http.StatusNoContent {
		t.Fatalf("unbounded: %d, want 204", rec.Code)
	}
}

// TestOverloadErrorMapping checks which causes a service leaves unmapped
// become 503 overloaded with Retry-After, and that others stay 500.
func TestOverloadErrorMapping(t *testing.T) {
	internal := errs.New(errs.Internal, "internal", "boom")
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"lock timeout", &pq.Error{Code: "55P03"}, 503},
		{"statement timeout", fmt.Errorf("list: %w", &pq.Error{Code: "57014"}), 503},
		{"too many connections", &pq.Error{Code: "53300"}, 503},
		{"connection failure", &pq.Error{Code: "08006"}, 503},
		{"server shutting down", &pq.Error{Code: "57P01"}, 503},
		{"deadlock", &pq.Error{Code: "40P01"}, 503},
		{"connection wait over", fmt.Errorf("pg: no connection: %w", context.DeadlineExceeded), 503},
		{"bad connection", driver.ErrBadConn, 503},
		{"wrapped as internal", internal.Wrap(&pq.Error{Code: "55P03"}), 503},
		{"syntax error", &pq.Error{Code: "42601"}, 500},
		{"plain error", errors.New("boom"), 500},
		{"internal", internal, 500},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			kitx.WriteProblem(rec, httptest.NewRequest(http.MethodGet, "/v1/x", nil), c.err)
			if rec.Code != c.want {
				t.Fatalf("status %d, want %d", rec.Code, c.want)
			}
			retry := rec.Header().Get("Retry-After")
			if c.want == 503 && (retry != kitx.RetryAfterSeconds || !strings.Contains(rec.Body.String(), kitx.ProblemTypeBase+"overloaded")) {
				t.Errorf("503 with Retry-After %q and body %s; want %s and the overloaded type", retry, rec.Body.String(), kitx.RetryAfterSeconds)
			}
			if c.want == 500 && retry != "" {
				t.Errorf("500 with Retry-After %q", retry)
			}
		})
	}
}

// TestOverloadRetryAfterKeptWhenSet checks that a 503 whose writer set its
// own Retry-After (an open circuit) keeps it.
func TestOverloadRetryAfterKeptWhenSet(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set("Retry-After", "7")
	kitx.WriteProblem(rec, httptest.NewRequest(http.MethodGet, "/v1/x", nil), kitx.ErrOverloaded)
	if got := rec.Header().Get("Retry-After"); got != "7" {
		t.Fatalf("Retry-After %q, want 7", got)
	}
}

func serve(h http.Handler, path string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestOverloadOverloadedLeavesConflictsToRetry checks that Overloaded, for
// work that would retry in parts, names slowness but not a conflict
// between transactions, which NewProblem still answers 503.
func TestOverloadOverloadedLeavesConflictsToRetry(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pq.Error{Code: "55P03"}, true},
		{fmt.Errorf("batch: %w", &pq.Error{Code: "57014"}), true},
		{fmt.Errorf("pg: begin: %w", context.DeadlineExceeded), true},
		{kitx.ErrOverloaded, true},
		{&pq.Error{Code: "40P01"}, false},
		{&pq.Error{Code: "40001"}, false},
		{&pq.Error{Code: "23505"}, false},
		{errors.New("boom"), false},
	} {
		if got := kitx.Overloaded(c.err); got != c.want {
			t.Errorf("Overloaded(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
