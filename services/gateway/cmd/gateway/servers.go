package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// servers are the gateway's two HTTP servers: the public API, and the
// internal listener serving /metrics (and the probes) that the public port
// does not expose.
type servers struct {
	public, internal       net.Listener
	publicSrv, internalSrv *http.Server
}

// listen binds the public API on cfg.Addr and the internal listener on
// cfg.MetricsAddr; an address in use is an error naming its variable.
func listen(cfg config, api, internal http.Handler) (*servers, error) {
	pub, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("GATEWAY_ADDR: %w", err)
	}
	in, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		pub.Close()
		return nil, fmt.Errorf("GATEWAY_METRICS_ADDR: %w", err)
	}
	return &servers{
		public: pub, internal: in,
		publicSrv:   &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute},
		internalSrv: &http.Server{Handler: internal, ReadHeaderTimeout: 10 * time.Second},
	}, nil
}

// serve starts both servers; the channel receives their errors, the first
// of which is a failure unless shutdown or close came first.
func (s *servers) serve() <-chan error {
	errc := make(chan error, 2)
	go func() { errc <- s.publicSrv.Serve(s.public) }()
	go func() { errc <- s.internalSrv.Serve(s.internal) }()
	return errc
}

// close stops both servers at once, for a start that failed (after
// shutdown, it has nothing left to do).
func (s *servers) close() {
	_ = s.publicSrv.Close()
	_ = s.internalSrv.Close()
}

// shutdown stops both servers gracefully, within ctx.
func (s *servers) shutdown(ctx context.Context) error {
	var errs []error
	for _, srv := range []*http.Server{s.publicSrv, s.internalSrv} {
		if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
