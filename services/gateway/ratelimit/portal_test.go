package ratelimit

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
)

const tenantB = "0190c5e6-0000-7000-8000-0000000000b2"

// portalGateway is the gateway's public portal with its real limits, in
// front of an upstream counting what reaches it: acme and beta have
// portals; every lookup is counted.
type portalGateway struct {
	srv               *httptest.Server
	upstream, lookups atomic.Int64
	log               bytes.Buffer
}

type staticResolver string

func (s staticResolver) Resolve(context.Context, string, string) ([]discovery.Instance, error) {
	return []discovery.Instance{{ID: string(s), Address: string(s), Tags: []string{discovery.SharedTag}}}, nil
}

type directory struct{}

func (directory) Tenant(context.Context, string) (string, bool, error) { return "", false, nil }

type portalTenants struct{ g *portalGateway }

func (p portalTenants) PortalTenant(_ context.Context, slug, _ string) (string, error) {
	p.g.lookups.Add(1)
	switch slug {
	case "acme":
		return tenantA, nil
	case "beta":
		return tenantB, nil
	}
	return "", errs.New(errs.NotFound, "tenant-not-found", "tenant not found")
}

func newPortalGateway(t *testing.T, client, tenant Limit) *portalGateway {
	t.Helper()
	g := &portalGateway{}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		g.upstream.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(up.Close)
	signer, err := auth.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	h, err := proxy.New(proxy.Config{Tenants: directory{}, Resolver: staticResolver(up.Listener.Addr().String()), Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	cfg := PortalConfig{Limiter: NewMemory(), Client: client, Tenant: tenant, Logger: slog.New(slog.NewTextHandler(&g.log, nil))}
	g.srv = httptest.NewServer(h.Portal(proxy.PortalConfig{Tenants: portalTenants{g}, ClientLimit: PortalClients(cfg),
		TenantLimit: PortalTenants(cfg)}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *portalGateway) get(t *testing.T, path string) *http.Response {
	t.Helper()
	resp, err := http.Get(g.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestPortalFloodFromOneAddress: past its burst an address gets 429 with
// Retry-After, logged, and its requests go no further: neither to the
// upstream nor to the tenant lookup, whichever portal they name.
func TestPortalFloodFromOneAddress(t *testing.T) {
	g := newPortalGateway(t, Limit{Rate: 0.01, Burst: 3}, Limit{Rate: 100, Burst: 100})
	for i, p := range []string{"/portal/acme/api/v1/articles", "/portal/beta/api/v1/articles", "/portal/nobody/api/v1/articles"} {
		if resp := g.get(t, p); resp.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("request %d refused", i)
		}
	}
	for _, p := range []string{"/portal/acme/api/v1/articles", "/portal/other/api/v1/cases"} {
		resp := g.get(t, p)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s past the burst: %d (Retry-After %q), want 429 with Retry-After", p, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if g.upstream.Load() != 2 || g.lookups.Load() != 3 {
		t.Errorf("upstream saw %d, lookups %d; want 2 and 3", g.upstream.Load(), g.lookups.Load())
	}
	if !strings.Contains(g.log.String(), "portal: rate limited") || !strings.Contains(g.log.String(), "portal:addr:127.0.0.1") {
		t.Errorf("the refusals were not logged: %s", g.log.String())
	}
}

// TestPortalTenantLimit: a tenant's portal past its burst is 429 while
// another tenant's still answers.
func TestPortalTenantLimit(t *testing.T) {
	g := newPortalGateway(t, Limit{Rate: 100, Burst: 100}, Limit{Rate: 0.01, Burst: 2})
	for range 2 {
		if resp := g.get(t, "/portal/acme/api/v1/articles"); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("status %d, want the upstream's 204", resp.StatusCode)
		}
	}
	if resp := g.get(t, "/portal/acme/api/v1/articles"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("acme past its burst: %d, want 429", resp.StatusCode)
	}
	if resp := g.get(t, "/portal/beta/api/v1/articles"); resp.StatusCode != http.StatusNoContent {
		t.Errorf("beta: %d, want 204", resp.StatusCode)
	}
	if !strings.Contains(g.log.String(), "portal:tenant:"+tenantA) {
		t.Errorf("the refusal was not logged: %s", g.log.String())
	}
}
