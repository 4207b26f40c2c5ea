package contracttest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/starter"
)

// Gateway returns a signer of internal tokens, as the gateway's, and the
// URL at which its JWKS is served over HTTP for a service under test to
// fetch (starter.Config.JWKSURL) until the end of the test.
func Gateway(t testing.TB) (signer *auth.Signer, jwksURL string) {
	t.Helper()
	signer, err := auth.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := signer.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(jwks) }))
	t.Cleanup(srv.Close)
	return signer, srv.URL
}

// Start starts s with cfg as libs/starter runs it in production, waits
// until it is ready (its /readyz answers 200: its database is migrated)
// and returns its base URL. It stops the service at the end of the test,
// which fails unless the service stops cleanly.
func Start(t testing.TB, cfg starter.Config, s starter.Service, logger *slog.Logger, opts ...starter.Option) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	in, err := starter.Start(ctx, cfg, s, logger, opts...)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop()
		if err := in.Wait(); err != nil {
			t.Errorf("the service stopped with %v", err)
		}
	})
	base := "http://" + in.Addr()
	if err := proc.WaitReady(ctx, base, time.Minute); err != nil {
		t.Fatal(err)
	}
	return base
}
