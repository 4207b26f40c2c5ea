package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// hookSink is the webhooks part's receiver on 127.0.0.1: it answers 204
// to every POST and records, for each, the time from the CloudEvent's time
// (the event's creation, just before it was produced) to its arrival, and
// each webhook-id seen, to count duplicates.
type hookSink struct {
	srv *httptest.Server

	mu    sync.Mutex
	lags  []time.Duration
	seen  map[string]int // webhook-id → arrivals
	first time.Time      // the first arrival since reset
	last  time.Time      // the latest arrival
	bad   int            // bodies without a CloudEvent time
}

// newHookSink starts a receiver; the caller closes srv.
func newHookSink() *hookSink {
	k := &hookSink{seen: map[string]int{}}
	k.srv = httptest.NewServer(http.HandlerFunc(k.serve))
	return k
}

func (k *hookSink) serve(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	var ev struct {
		Time time.Time `json:"time"`
	}
	body, err := io.ReadAll(r.Body)
	ok := err == nil && json.Unmarshal(body, &ev) == nil && !ev.Time.IsZero()
	k.mu.Lock()
	if ok {
		k.lags = append(k.lags, at.Sub(ev.Time))
	} else {
		k.bad++
	}
	if id := r.Header.Get("webhook-id"); id != "" {
		k.seen[id]++
	}
	if k.first.IsZero() {
		k.first = at
	}
	k.last = at
	k.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// reset forgets what arrived.
func (k *hookSink) reset() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lags, k.seen, k.first, k.last, k.bad = nil, map[string]int{}, time.Time{}, time.Time{}, 0
}

// count returns how many requests arrived since reset.
func (k *hookSink) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.lags) + k.bad
}

// sinkStats is what a sink saw since its reset.
type sinkStats struct {
	Arrived, Bad, Duplicates int
	Lag                      latency
	Last                     time.Time
}

// stats summarises what arrived since reset.
func (k *hookSink) stats() sinkStats {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := sinkStats{Arrived: len(k.lags) + k.bad, Bad: k.bad, Last: k.last}
	for _, n := range k.seen {
		s.Duplicates += n - 1
	}
	if len(k.lags) > 0 {
		s.Lag = distribution(append([]time.Duration(nil), k.lags...))
	}
	return s
}
