package delivery

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDeliveryGoneDisables: a 410 fails the delivery, disables the
// subscription at once with its reason, fails its other pending
// deliveries and calls OnDisabled in the disabling transaction.
func TestDeliveryGoneDisables(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusGone)
	}))
	defer srv.Close()
	sub := e.subscription(t, srv.URL, NewSecret())
	first := e.delivery(t, sub, "a")
	queued := e.delivery(t, sub, "a") // waits behind first (same subject)
	var calls disabledCalls
	e.run(t, Config{OnDisabled: calls.hook})

	eventually(t, "the subscription disabled", func() bool { return e.sub(t, sub).Status == "disabled" })
	if s := e.sub(t, sub); s.Reason != ReasonGone || !s.DisabledAt {
		t.Errorf("subscription %+v", s)
	}
	if r := e.read(t, first); r.Status != "failed" || r.Attempts != 1 || r.LastStatus == nil || *r.LastStatus != 410 {
		t.Errorf("first %+v", r)
	}
	if r := e.read(t, queued); r.Status != "failed" || r.Attempts != 0 || r.LastError != ReasonGone {
		t.Errorf("queued %+v", r)
	}
	got, errs := calls.list()
	if !slices.Equal(got, []string{sub + ": " + ReasonGone}) || len(errs) != 0 {
		t.Errorf("OnDisabled calls %v (%v)", got, errs)
	}
}

// TestDeliveryThrottledByRetryAfter: a 429 with Retry-After throttles the
// subscription: neither that delivery nor the subscription's others (of
// other subjects) are sent before Retry-After has passed; then both are.
func TestDeliveryThrottledByRetryAfter(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var arrivals []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		arrivals = append(arrivals, time.Now())
		if len(arrivals) == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	sub := e.subscription(t, srv.URL, NewSecret())
	first := e.delivery(t, sub, "a")
	other := e.delivery(t, sub, "b")
	e.run(t, Config{Workers: 1, Poll: 20 * time.Millisecond, Schedule: []time.Duration{0, time.Millisecond, time.Millisecond}})

	eventually(t, "the first answer", func() bool { return len(e.attempts(t, first)) == 1 })
	if s := e.sub(t, sub); !s.Throttled || !s.Failing {
		t.Errorf("subscription %+v, want throttled and failing", s)
	}
	eventually(t, "both delivered", func() bool {
		return e.read(t, first).Status == "succeeded" && e.read(t, other).Status == "succeeded"
	})
	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != 3 {
		t.Fatalf("%d requests, want 3", len(arrivals))
	}
	for i, at := range arrivals[1:] {
		if gap := at.Sub(arrivals[0]); gap < 1900*time.Millisecond {
			t.Errorf("request %d came %v after the 429, want ≥ Retry-After (2s)", i+2, gap)
		}
	}
	if s := e.sub(t, sub); s.Failing {
		t.Errorf("subscription %+v, want healthy after the successes", s)
	}
}

// TestDeliveryRedirectRefused: redirects to the cloud metadata address and
// to a private address are refused at connection (even with loopback
// allowed), and with the development setting off a loopback URL is.
func TestDeliveryRedirectRefused(t *testing.T) {
	e := newEnv(t)
	redirect := func(to string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to, http.StatusTemporaryRedirect)
		}))
	}
	metadata, private := redirect("http://169.254.169.254/latest/meta-data/"), redirect("http://10.0.0.1/")
	defer metadata.Close()
	defer private.Close()
	toMetadata := e.delivery(t, e.subscription(t, metadata.URL, NewSecret()), "a")
	toPrivate := e.delivery(t, e.subscription(t, private.URL, NewSecret()), "a")
	e.run(t, Config{Schedule: []time.Duration{0}})
	for _, c := range []struct{ id, addr string }{{toMetadata, "169.254.169.254"}, {toPrivate, "10.0.0.1"}} {
		eventually(t, "the redirected delivery failed", func() bool { return e.read(t, c.id).Status == "failed" })
		as := e.attempts(t, c.id)
		if len(as) != 1 || as[0].Status != nil || !strings.Contains(as[0].Error, "address forbidden: "+c.addr) {
			t.Errorf("attempts to %s: %+v", c.addr, as)
		}
	}

	strict := newEnv(t)
	hits := make(chan struct{}, 1)
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits <- struct{}{} }))
	defer local.Close()
	toLoopback := strict.delivery(t, strict.subscription(t, local.URL, NewSecret()), "a")
	strict.start(t, Config{Schedule: []time.Duration{0}})
	eventually(t, "the loopback delivery failed", func() bool { return strict.read(t, toLoopback).Status == "failed" })
	if as := strict.attempts(t, toLoopback); len(as) != 1 || !strings.Contains(as[0].Error, "address forbidden: 127.0.0.1") {
		t.Errorf("attempts to loopback: %+v", as)
	}
	select {
	case <-hits:
		t.Error("the loopback receiver was reached")
	default:
	}
}

// TestDeliveryDisabledAfterFailingTooLong: a subscription whose deliveries
// keep failing is disabled once failing for DisableAfter, OnDisabled is
// called, and its pending deliveries fail with the reason.
func TestDeliveryDisabledAfterFailingTooLong(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	sub := e.subscription(t, srv.URL, NewSecret())
	id := e.delivery(t, sub, "a")
	var calls disabledCalls
	schedule := []time.Duration{0}
	for range 100 {
		schedule = append(schedule, 100*time.Millisecond)
	}
	e.run(t, Config{Schedule: schedule, DisableAfter: 500 * time.Millisecond, Poll: 20 * time.Millisecond, OnDisabled: calls.hook})

	eventually(t, "the subscription disabled", func() bool { return e.sub(t, sub).Status == "disabled" })
	if s := e.sub(t, sub); s.Reason != ReasonFailing {
		t.Errorf("subscription %+v", s)
	}
	r := e.read(t, id)
	if r.Status != "failed" || r.LastError != ReasonFailing || r.Attempts < 3 || r.Attempts > 20 {
		t.Errorf("delivery %+v", r)
	}
	got, errs := calls.list()
	if !slices.Equal(got, []string{sub + ": " + ReasonFailing}) || len(errs) != 0 {
		t.Errorf("OnDisabled calls %v (%v)", got, errs)
	}
}
