package obs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// DefaultCheckTimeout bounds how long /readyz waits for all checks together.
const DefaultCheckTimeout = 2 * time.Second

// Check reports whether one dependency is usable; nil means ready. It must
// honour ctx's deadline.
type Check func(ctx context.Context) error

// Health serves liveness (/healthz) and readiness (/readyz). Readiness runs
// every named check concurrently under one timeout and is ready only when all
// of them pass. The zero value is usable and has no checks.
type Health struct {
	// Timeout bounds each readiness evaluation; zero means DefaultCheckTimeout.
	Timeout time.Duration

	mu     sync.RWMutex
	checks map[string]Check
}

// NewHealth returns a Health with the default timeout and no checks.
func NewHealth() *Health { return &Health{} }

// AddCheck registers a readiness check under name ("db", "kafka"), replacing
// any check of the same name.
func (h *Health) AddCheck(name string, fn Check) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.checks == nil {
		h.checks = make(map[string]Check)
	}
	h.checks[name] = fn
}

// Report is the result of one readiness evaluation and the JSON body of /readyz.
type Report struct {
	// Status is "ok" or "unavailable".
	Status string `json:"status"`
	// Checks maps every check's name to "ok" or its error message.
	Checks map[string]string `json:"checks"`
	// Failing lists the failing checks' names, sorted; empty when ready.
	Failing []string `json:"failing,omitempty"`
}

// Ready reports whether the process is ready to serve.
func (r Report) Ready() bool { return len(r.Failing) == 0 }

// Check runs every check concurrently and waits for all of them or the
// timeout, whichever comes first; a check still running at the timeout fails.
func (h *Health) Check(ctx context.Context) Report {
	h.mu.RLock()
	checks := make(map[string]Check, len(h.checks))
	for name, fn := range h.checks {
		checks[name] = fn
	}
	timeout := h.Timeout
	h.mu.RUnlock()
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(checks))
	for name, fn := range checks {
		go func() {
			defer func() {
				if p := recover(); p != nil {
					results <- result{name, fmt.Errorf("check panicked: %v", p)}
				}
			}()
			results <- result{name, fn(ctx)}
		}()
	}

	rep := Report{Status: "ok", Checks: make(map[string]string, len(checks))}
	for name := range checks {
		rep.Checks[name] = "timed out after " + timeout.String()
	}
	pending := len(checks)
wait:
	for pending > 0 {
		select {
		case res := <-results:
			pending--
			if res.err != nil {
				rep.Checks[res.name] = res.err.Error()
			} else {
				rep.Checks[res.name] = "ok"
			}
		case <-ctx.Done():
			break wait
		}
	}
	for name, state := range rep.Checks {
		if state != "ok" {
			rep.Failing = append(rep.Failing, name)
		}
	}
	if len(rep.Failing) > 0 {
		sort.Strings(rep.Failing)
		rep.Status = "unavailable"
	}
	return rep
}

// LiveHandler serves /healthz: 200 for as long as the process is serving.
// It checks no dependency, so an orchestrator never restarts a process
// because a database is down.
func (h *Health) LiveHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// ReadyHandler serves /readyz: 200 when every check passes, else 503 with the
// Report naming the failing checks.
func (h *Health) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := h.Check(r.Context())
		status := http.StatusOK
		if !rep.Ready() {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, rep)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
