package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
)

// When RAPPORT_SERVICES leaves the gateway out, the local stack has nobody to
// issue the internal tokens services verify. devIssuer stands in on loopback: it serves
// the JWKS the services fetch (AUTH_JWKS_URL) and mints a short-lived token
// of the demo tenant's administrator for one service on
// GET /dev/token?service=<name>. It never runs beside a gateway.
type devIssuer struct {
	signer   *auth.Signer
	srv      *http.Server
	addr     string
	services []string
}

// The demo tenant and its administrator have fixed ids, so data written in
// one `make run` is still there in the next.
var (
	demoTenantID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://rapport.dev/local/tenant/demo")).String()
	demoAdminID  = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://rapport.dev/local/user/admin")).String()
)

// startDevIssuer listens on 127.0.0.1:port.
func startDevIssuer(port int, services []string) (*devIssuer, error) {
	signer, err := auth.NewSigner()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dev token issuer on %s: %w", addr, err)
	}
	d := &devIssuer{signer: signer, addr: addr, services: services}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/jwks.json", d.jwks)
	mux.HandleFunc("GET /dev/token", d.token)
	d.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go d.srv.Serve(l) //nolint:errcheck // ends with ErrServerClosed on stop
	return d, nil
}

// JWKSURL is what services get as AUTH_JWKS_URL.
func (d *devIssuer) JWKSURL() string { return "http://" + d.addr + "/.well-known/jwks.json" }

// TokenURL is where a developer fetches a token for service.
func (d *devIssuer) TokenURL(service string) string {
	return "http://" + d.addr + "/dev/token?service=" + service
}

func (d *devIssuer) jwks(w http.ResponseWriter, _ *http.Request) {
	b, err := d.signer.PublicJWKS()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b) //nolint:errcheck // nothing to do about a failed write
}

func (d *devIssuer) token(w http.ResponseWriter, r *http.Request) {
	svc := r.URL.Query().Get("service")
	if !slices.Contains(d.services, svc) {
		http.Error(w, fmt.Sprintf("service=%q: want one of %v", svc, d.services), http.StatusBadRequest)
		return
	}
	p := auth.Principal{
		TenantID: demoTenantID, UserID: demoAdminID, Roles: []string{"admin"},
		Permissions: []string{"*"}, RecordScope: map[string]auth.Scope{"*": auth.ScopeAll},
	}
	tok, err := d.signer.Sign(p, svc, auth.MaxTTL)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprintln(w, tok)
}

// stop shuts the issuer down.
func (d *devIssuer) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
