package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestChaosClientRetriesWithTheSameKey has the client meet a 503 with
// Retry-After, then a dropped connection, then a 201: three requests, each
// with the same Idempotency-Key and If-Match, acknowledged; and a 412
// after a dropped try is unknown, not rejected.
func TestChaosClientRetriesWithTheSameKey(t *testing.T) {
	var mu sync.Mutex
	var keys, matches []string
	answers := []int{http.StatusServiceUnavailable, 0, http.StatusCreated}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := len(keys)
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		matches = append(matches, r.Header.Get("If-Match"))
		mu.Unlock()
		switch status := answers[min(n, len(answers)-1)]; status {
		case 0:
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
		case http.StatusServiceUnavailable:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(status)
		default:
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"id":"x"}`))
		}
	}))
	defer srv.Close()
	var tries []Attempt
	cl := NewClient(srv.URL, func(a Attempt) { tries = append(tries, a) })
	cl.MaxWait = 50 * time.Millisecond
	a := cl.Do(context.Background(), "test", Call{Method: http.MethodPost, Path: "/v1/contacts", Key: "k1", IfMatch: `"3"`, Body: map[string]string{}})
	// net/http itself sends a request with an Idempotency-Key again on a
	// connection dropped before any answer, so the client may see two.
	if a.Status != http.StatusCreated || len(keys) != 3 || a.Tries < 2 || a.Outcome() != Acked {
		t.Fatalf("answer %d after %d tries, %d requests (%s), want 201 after 3 requests, acknowledged", a.Status, a.Tries, len(keys), a.Outcome())
	}
	for i := range keys {
		if keys[i] != "k1" || matches[i] != `"3"` {
			t.Errorf("try %d sent Idempotency-Key %q and If-Match %q", i+1, keys[i], matches[i])
		}
	}
	if len(tries) != a.Tries || tries[0].Status != http.StatusServiceUnavailable || tries[len(tries)-1].Failed() {
		t.Errorf("observed tries %+v", tries)
	}

	answers = []int{0, http.StatusPreconditionFailed}
	keys = nil
	a = cl.Do(context.Background(), "test", Call{Method: http.MethodPatch, Path: "/v1/contacts/x", IfMatch: `"3"`, Body: map[string]string{}})
	if a.Status != http.StatusPreconditionFailed || a.Outcome() != Unknown {
		t.Errorf("a 412 after a dropped try: %d, %s; want 412, unknown", a.Status, a.Outcome())
	}
	if (Answer{Status: http.StatusUnprocessableEntity, Tries: 1}).Outcome() != Rejected {
		t.Error("a 422 at the first try is not rejected")
	}
}

// TestChaosRecoveryFigures reads a fault's window: failures until 2.5 s,
// the first 2xx at 1.2 s.
func TestChaosRecoveryFigures(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var s Stats
	s.Observe(Attempt{At: at.Add(-time.Second), Status: 500})
	s.Observe(Attempt{At: at.Add(200 * time.Millisecond), Status: 0, Latency: 300 * time.Millisecond})
	s.Observe(Attempt{At: at.Add(time.Second), Status: 201, Latency: 200 * time.Millisecond})
	s.Observe(Attempt{At: at.Add(2 * time.Second), Status: 503, Latency: 500 * time.Millisecond})
	s.Observe(Attempt{At: at.Add(3 * time.Second), Status: 200})
	r := s.RecoveryAfter(at, at.Add(10*time.Second))
	if r.Tries != 4 || r.Errors != 2 || r.Clear != 2500*time.Millisecond || r.FirstSuccess != 1200*time.Millisecond {
		t.Errorf("recovery %+v", r)
	}
	if p := Percentile([]time.Duration{5, 1, 3, 2, 4}, 0.99); p != 5 {
		t.Errorf("p99 %d", p)
	}
}
