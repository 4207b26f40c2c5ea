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
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
)

// marketingGateway is the gateway's public marketing pages with their real
// limits, in front of an upstream counting what reaches it: acme and beta
// exist; every lookup is counted.
type marketingGateway struct {
	srv               *httptest.Server
	upstream, lookups atomic.Int64
	log               bytes.Buffer
}

type marketingTenants struct{ g *marketingGateway }

func (m marketingTenants) MarketingTenant(_ context.Context, ref string) (string, error) {
	m.g.lookups.Add(1)
	switch ref {
	case "acme":
		return tenantA, nil
	case "beta":
		return tenantB, nil
	}
	return "", errs.New(errs.NotFound, "tenant-not-found", "tenant not found")
}

func newMarketingGateway(t *testing.T, client, tenant MarketingLimits) *marketingGateway {
	t.Helper()
	g := &marketingGateway{}
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
	cfg := MarketingConfig{Limiter: NewMemory(), Client: client, Tenant: tenant, Logger: slog.New(slog.NewTextHandler(&g.log, nil))}
	g.srv = httptest.NewServer(h.Marketing(proxy.MarketingConfig{Tenants: marketingTenants{g}, ClientLimit: MarketingClients(cfg),
		TenantLimit: MarketingTenants(cfg)}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *marketingGateway) send(t *testing.T, method, path string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, g.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
		t.Errorf("%s %s: 429 without Retry-After", method, path)
	}
	return resp.StatusCode
}

// generous is a limit no test reaches.
var generous = Limit{Rate: 1000, Burst: 1000}

// TestMarketingFloodFromOneAddress: an address flooding a form with
// submissions gets 429 past the submissions' burst, logged, and its
// submissions reach neither the tenant lookup nor the service; its
// tracking links and pages, counted apart, still pass, until their own
// bursts are used up.
func TestMarketingFloodFromOneAddress(t *testing.T) {
	g := newMarketingGateway(t, MarketingLimits{Track: Limit{Rate: 0.01, Burst: 4}, Submit: Limit{Rate: 0.01, Burst: 2}, Page: Limit{Rate: 0.01, Burst: 1}},
		MarketingLimits{Track: generous, Submit: generous, Page: generous})
	for i := range 2 {
		if got := g.send(t, "POST", "/m/acme/forms/f1"); got != http.StatusNoContent {
			t.Fatalf("submission %d: %d, want the service's 204", i, got)
		}
	}
	for _, p := range []string{"/m/acme/forms/f1", "/m/beta/forms/f2", "/m/nobody/forms/f3"} {
		if got := g.send(t, "POST", p); got != http.StatusTooManyRequests {
			t.Errorf("POST %s past the burst: %d, want 429", p, got)
		}
	}
	for i, p := range []string{"/m/acme/t/o/a", "/m/acme/t/c/b", "/m/beta/t/o/c", "/m/acme/t/o/d"} {
		if got := g.send(t, "GET", p); got != http.StatusNoContent {
			t.Errorf("tracking %d (%s): %d, want 204", i, p, got)
		}
	}
	if got := g.send(t, "GET", "/m/acme/t/o/e"); got != http.StatusTooManyRequests {
		t.Errorf("tracking past its burst: %d, want 429", got)
	}
	if got := g.send(t, "GET", "/m/acme/forms/f1"); got != http.StatusNoContent {
		t.Errorf("the form's page: %d, want 204", got)
	}
	if got := g.send(t, "GET", "/m/acme/u/tok"); got != http.StatusTooManyRequests {
		t.Errorf("a page past the pages' burst: %d, want 429", got)
	}
	if g.upstream.Load() != 7 || g.lookups.Load() != 7 {
		t.Errorf("upstream saw %d, lookups %d; want 7 and 7", g.upstream.Load(), g.lookups.Load())
	}
	if log := g.log.String(); !strings.Contains(log, "marketing: rate limited") || !strings.Contains(log, "marketing:addr:submit:127.0.0.1") {
		t.Errorf("the refusals were not logged: %s", log)
	}
}

// TestMarketingTenantLimit: a tenant's submissions past their burst are
// 429 while its tracking and another tenant's submissions still pass.
func TestMarketingTenantLimit(t *testing.T) {
	g := newMarketingGateway(t, MarketingLimits{Track: generous, Submit: generous, Page: generous},
		MarketingLimits{Track: generous, Submit: Limit{Rate: 0.01, Burst: 1}, Page: generous})
	if got := g.send(t, "POST", "/m/acme/forms/f1"); got != http.StatusNoContent {
		t.Fatalf("acme's first submission: %d, want 204", got)
	}
	if got := g.send(t, "POST", "/m/acme/forms/f2"); got != http.StatusTooManyRequests {
		t.Errorf("acme past its burst: %d, want 429", got)
	}
	if got := g.send(t, "GET", "/m/acme/t/c/x"); got != http.StatusNoContent {
		t.Errorf("acme's tracking: %d, want 204", got)
	}
	if got := g.send(t, "POST", "/m/beta/forms/f1"); got != http.StatusNoContent {
		t.Errorf("beta: %d, want 204", got)
	}
	if !strings.Contains(g.log.String(), "marketing:tenant:submit:"+tenantA) {
		t.Errorf("the refusal was not logged: %s", g.log.String())
	}
}

func TestMarketingClassOf(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         MarketingClass
	}{
		{"GET", "/m/acme/t/o/tok", MarketingTrack},
		{"GET", "/public/v1/t/c/tok", MarketingTrack},
		{"POST", "/m/acme/forms/f1", MarketingSubmit},
		{"POST", "/public/v1/forms/f1", MarketingSubmit},
		{"POST", "/m/acme/forms/f1/confirm/tok", MarketingSubmit},
		{"GET", "/m/acme/forms/f1", MarketingPage},
		{"POST", "/m/acme/u/tok", MarketingPage},
		{"GET", "/m/acme/preferences/tok", MarketingPage},
		{"GET", "/m/t/x", MarketingPage}, // a tenant called t
	} {
		r := httptest.NewRequest(c.method, c.path, nil)
		if got := MarketingClassOf(r); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.method, c.path, got, c.want)
		}
	}
}
