package main

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/starter"
)

// errStarting is the answer of the public port to all but the probes until
// the gateway is ready to serve.
var errStarting = errs.New(errs.Unavailable, "starting", "the gateway is starting: its /readyz says what it waits for")

// startup is the public port's handler: the probes, and a 503 for every
// other path, until the gateway is wired (its database prepared, perhaps
// after waiting for `gateway migrate`); then the gateway's handler.
type startup struct {
	h     atomic.Pointer[http.Handler]
	ready atomic.Bool
}

// newStartup serves health's probes, with metrics, until serve is called.
func newStartup(health *obs.Health, metrics *obs.Metrics) *startup {
	mux := http.NewServeMux()
	obs.Mount(mux, health, nil)
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { kitx.WriteProblem(w, r, errStarting) }))
	s := &startup{}
	h := starter.Handler(mux, metrics)
	s.h.Store(&h)
	return s
}

// ServeHTTP serves r with the current handler.
func (s *startup) ServeHTTP(w http.ResponseWriter, r *http.Request) { (*s.h.Load()).ServeHTTP(w, r) }

// serve hands the public port to h: the gateway is ready.
func (s *startup) serve(h http.Handler) {
	s.h.Store(&h)
	s.ready.Store(true)
}

// Check is the readiness check "startup": it fails until serve is called.
func (s *startup) Check(context.Context) error {
	if !s.ready.Load() {
		return errors.New("the gateway is starting")
	}
	return nil
}
