package proxy

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/testkit"
)

func TestHandlerForwardsWithInternalToken(t *testing.T) {
	e := newEnv(t)
	up := newUpstream(t, e, "contacts", nil)
	_, gw := newGateway(t, e, Config{Resolver: discovery.NewStatic(map[string]string{"contacts": up.addr()})})

	p := writer()
	resp := do(t, http.MethodGet, gw.URL+"/v1/contacts/42?fields=name", p, e, nil, map[string]string{
		"X-Tenant-Id":       globexID,
		"X-User-Id":         "someone-else",
		"X-Internal-Admin":  "true",
		"X-Api-Key":         "rpk_stolen",
		"Cookie":            "session=abc",
		"X-Request-Id":      "req-123",
		"X-Forwarded-For":   "6.6.6.6",
		"X-Custom-Business": "kept",
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	got := up.last(t)
	if got.AuthErr != "" {
		t.Fatalf("the upstream rejected the internal token: %s", got.AuthErr)
	}
	if got.Principal.UserID != p.UserID || got.Principal.TenantID != acmeID {
		t.Errorf("upstream principal = %s@%s, want %s@%s", got.Principal.UserID, got.Principal.TenantID, p.UserID, acmeID)
	}
	if got.Path != "/v1/contacts/42" || got.Query != "fields=name" {
		t.Errorf("upstream path = %s?%s, want /v1/contacts/42?fields=name", got.Path, got.Query)
	}
	headers := []struct {
		name, want string
	}{
		{"X-Tenant-Id", ""},
		{"X-User-Id", ""},
		{"X-Internal-Admin", ""},
		{"X-Api-Key", ""},
		{"Cookie", ""},
		{"X-Request-Id", "req-123"},
		{"X-Forwarded-For", "127.0.0.1"},
		{"X-Forwarded-Proto", "http"},
		{"X-Custom-Business", "kept"},
	}
	for _, h := range headers {
		if v := got.Header.Get(h.name); v != h.want {
			t.Errorf("upstream header %s = %q, want %q", h.name, v, h.want)
		}
	}
	if got := resp.Header.Values("X-Request-Id"); len(got) != 1 || got[0] != "req-123" {
		t.Errorf("response X-Request-Id = %q, want exactly [req-123]", got)
	}
}

func TestHandlerAnswers(t *testing.T) {
	e := newEnv(t)
	up := newUpstream(t, e, "contacts", nil)
	sales := newUpstream(t, e, "sales", nil)
	static := discovery.NewStatic(map[string]string{"contacts": up.addr(), "sales": sales.addr(), "reporting": testkit.FreeAddr(t)})
	_, gw := newGateway(t, e, Config{Resolver: resolverFunc(func(ctx context.Context, service, tenant string) ([]discovery.Instance, error) {
		if service == "support" { // deployed, but no instance passes its checks
			return nil, discovery.ErrNoInstances
		}
		return static.Resolve(ctx, service, tenant)
	})})

	admin := &auth.Principal{TenantID: acmeID, UserID: "u", Permissions: []string{"*"}}
	reader := &auth.Principal{TenantID: acmeID, UserID: "u-reader", Permissions: []string{"contacts:read", "sales:read"}}
	noTenant := &auth.Principal{TenantID: "0190c5e6-0000-7000-8000-0000000000ff", UserID: "u-x", Permissions: []string{"*"}}
	tests := []struct {
		name       string
		method     string
		path       string
		principal  *auth.Principal
		wantStatus int
		wantType   string
	}{
		{"read allowed", http.MethodGet, "/v1/contacts", reader, 200, ""},
		{"read another service", http.MethodGet, "/v1/leads", reader, 200, ""},
		{"write needs write", http.MethodPost, "/v1/contacts", reader, 403, "forbidden"},
		{"write allowed", http.MethodPost, "/v1/contacts", writer(), 200, ""},
		{"wildcard module", http.MethodDelete, "/v1/accounts/1", writer(), 200, ""},
		{"no permission on module", http.MethodPost, "/v1/leads", writer(), 403, "forbidden"},
		{"unauthenticated", http.MethodGet, "/v1/contacts", nil, 401, "unauthenticated"},
		{"unknown route", http.MethodGet, "/v1/nothing", writer(), 404, "route-not-found"},
		{"unknown route unauthenticated", http.MethodGet, "/v1/nothing", nil, 404, "route-not-found"},
		{"dot segments", http.MethodGet, "/v1/contacts/../users", writer(), 404, "route-not-found"},
		{"tenant unknown to the directory", http.MethodGet, "/v1/contacts", noTenant, 403, "forbidden"},
		{"service not deployed", http.MethodGet, "/v1/campaigns", admin, 501, "feature-not-installed"},
		{"service deployed but down", http.MethodGet, "/v1/reports", admin, 503, "upstream-unavailable"},
		{"service deployed, no healthy instance", http.MethodGet, "/v1/cases", admin, 503, "no-instances"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := do(t, tt.method, gw.URL+tt.path, tt.principal, e, nil, nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := problemType(t, resp); got != tt.wantType {
				t.Errorf("problem type = %q, want %q", got, tt.wantType)
			}
		})
	}
}

func TestHandlerRoutesDedicatedTenants(t *testing.T) {
	e := newEnv(t)
	shared := newUpstream(t, e, "contacts", nil)
	dedicated := newUpstream(t, e, "contacts", nil)
	var mu sync.Mutex
	var asked []string
	resolver := resolverFunc(func(_ context.Context, service, tenant string) ([]discovery.Instance, error) {
		mu.Lock()
		asked = append(asked, discovery.TenantTag(tenant))
		mu.Unlock()
		addr := shared.addr()
		if discovery.TenantTag(tenant) == "tenant-globex" {
			addr = dedicated.addr()
		}
		return []discovery.Instance{{ID: addr, Address: addr}}, nil
	})
	_, gw := newGateway(t, e, Config{Resolver: resolver})

	tests := []struct {
		name     string
		tenant   string
		want     *upstream
		wantTag  string
		notWant  *upstream
		wantUser string
	}{
		{"shared tenant", acmeID, shared, "shared", dedicated, "u-acme"},
		{"dedicated tenant", globexID, dedicated, "tenant-globex", shared, "u-globex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.notWant.count()
			p := &auth.Principal{TenantID: tt.tenant, UserID: tt.wantUser, Permissions: []string{"contacts:read"}}
			resp := do(t, http.MethodGet, gw.URL+"/v1/contacts", p, e, nil, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			if got := tt.want.last(t).Principal.UserID; got != tt.wantUser {
				t.Errorf("upstream user = %q, want %q", got, tt.wantUser)
			}
			if tt.notWant.count() != before {
				t.Error("the other deployment got the request")
			}
			mu.Lock()
			gotTag := asked[len(asked)-1]
			mu.Unlock()
			if gotTag != tt.wantTag {
				t.Errorf("resolved tag = %q, want %q", gotTag, tt.wantTag)
			}
		})
	}
}

// TestHandlerRetriesOnConnectionErrors: a refused dial sent nothing, so
// every method, POST and PATCH included, goes on to the next replica.
func TestHandlerRetriesOnConnectionErrors(t *testing.T) {
	e := newEnv(t)
	live := newUpstream(t, e, "contacts", nil)
	dead := testkit.FreeAddr(t)
	_, gw := newGateway(t, e, Config{
		Resolver: instances(dead, live.addr()),
		Breaker:  BreakerConfig{Failures: 1000}, // keep the dead instance in rotation
	})

	tests := []struct {
		method   string
		wantOK   int // of 4 requests, alternating first instance
		wantFail int
	}{
		{http.MethodGet, 4, 0},
		{http.MethodPut, 4, 0},
		{http.MethodDelete, 4, 0},
		{http.MethodPost, 4, 0},
		{http.MethodPatch, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			var ok, failed int
			for range 4 {
				resp := do(t, tt.method, gw.URL+"/v1/contacts/1", writer(), e, nil, nil)
				switch resp.StatusCode {
				case http.StatusOK:
					ok++
				case http.StatusServiceUnavailable:
					if got := problemType(t, resp); got != "upstream-unavailable" {
						t.Errorf("problem type = %q, want upstream-unavailable", got)
					}
					failed++
				default:
					t.Fatalf("status = %d", resp.StatusCode)
				}
			}
			if ok != tt.wantOK || failed != tt.wantFail {
				t.Errorf("ok/failed = %d/%d, want %d/%d", ok, failed, tt.wantOK, tt.wantFail)
			}
		})
	}
}

func TestHandlerRetriesOneInstanceAndCountsFailures(t *testing.T) {
	e := newEnv(t)
	dead := testkit.FreeAddr(t)
	tests := []struct {
		method       string
		retries      int
		wantFailures int // recorded on the dead instance's circuit
	}{
		{http.MethodGet, 2, 3},
		{http.MethodHead, 1, 2},
		{http.MethodPost, 2, 3},
		{http.MethodGet, -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.method+" retries "+strconv.Itoa(tt.retries), func(t *testing.T) {
			h, gw := newGateway(t, e, Config{Resolver: instances(dead), Retries: tt.retries, Breaker: BreakerConfig{Failures: 100}})
			resp := do(t, tt.method, gw.URL+"/v1/contacts", writer(), e, nil, nil)
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status = %d, want 503", resp.StatusCode)
			}
			h.breakers.mu.Lock()
			got := h.breakers.circuits[dead].failures
			h.breakers.mu.Unlock()
			if got != tt.wantFailures {
				t.Errorf("failures = %d, want %d", got, tt.wantFailures)
			}
		})
	}
}

func TestHandlerCircuitBreaker(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	failing := true
	up := newUpstream(t, e, "contacts", func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if failing {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	_, gw := newGateway(t, e, Config{
		Resolver: instances(up.addr()),
		Breaker:  BreakerConfig{Failures: 3, CoolDown: 300 * time.Millisecond},
	})
	get := func() *http.Response { return do(t, http.MethodGet, gw.URL+"/v1/contacts", writer(), e, nil, nil) }

	for i := range 3 {
		if resp := get(); resp.StatusCode != http.StatusServiceUnavailable || problemType(t, resp) != "" {
			t.Fatalf("request %d: status %d, want the upstream's own 503", i, resp.StatusCode)
		}
	}
	hits := up.count()
	resp := get()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("open circuit: status = %d, want 503", resp.StatusCode)
	}
	if got := problemType(t, resp); got != "circuit-open" {
		t.Errorf("open circuit: problem type = %q, want circuit-open", got)
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After = %q, want a positive number of seconds", resp.Header.Get("Retry-After"))
	}
	if up.count() != hits {
		t.Error("an open circuit let a request through")
	}

	mu.Lock()
	failing = false
	mu.Unlock()
	// Refused until the cool-down is over; then one request is the
	// half-open probe.
	testkit.Eventually(t, 5*time.Second, "the cool-down over", func() (bool, string) {
		resp = get()
		return resp.StatusCode != http.StatusServiceUnavailable || problemType(t, resp) != "circuit-open", "circuit-open"
	})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("half-open probe: status = %d, want 204", resp.StatusCode)
	}
	if resp := get(); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("closed again: status = %d, want 204", resp.StatusCode)
	}
}

func TestHandlerResponseHeaderTimeout(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	up := newUpstream(t, e, "contacts", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	_, gw := newGateway(t, e, Config{Resolver: instances(up.addr()), ResponseHeaderTimeout: 200 * time.Millisecond})
	start := time.Now()
	resp := do(t, http.MethodPost, gw.URL+"/v1/contacts", writer(), e, nil, nil)
	took := time.Since(start)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", resp.StatusCode)
	}
	if got := problemType(t, resp); got != "upstream-timeout" {
		t.Errorf("problem type = %q, want upstream-timeout", got)
	}
	if took > 2*time.Second {
		t.Errorf("took %v, want about 200ms", took)
	}
}

func TestHandlerPassesStatusAndBody(t *testing.T) {
	e := newEnv(t)
	up := newUpstream(t, e, "contacts", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Location", "/v1/contacts/99")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(append([]byte("echo:"), body...))
	})
	_, gw := newGateway(t, e, Config{Resolver: instances(up.addr())})
	resp := do(t, http.MethodPost, gw.URL+"/v1/contacts", writer(), e, stringsReader(`{"name":"Ada"}`), map[string]string{"Content-Type": "application/json"})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated || string(body) != `echo:{"name":"Ada"}` || resp.Header.Get("Location") != "/v1/contacts/99" {
		t.Errorf("got %d %q Location %q, want 201 echo:{\"name\":\"Ada\"} /v1/contacts/99", resp.StatusCode, body, resp.Header.Get("Location"))
	}
}

// TestHandlerAnswersAreNeverCached checks that what a service answers leaves
// the gateway with no-store and nosniff, once each, whatever the service
// said: a tenant's data must not stay in a shared or browser cache.
func TestHandlerAnswersAreNeverCached(t *testing.T) {
	e := newEnv(t)
	up := newUpstream(t, e, "contacts", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/contacts/cacheable" {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		} else {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("X-Content-Type-Options", "nosniff")
		}
		_, _ = w.Write([]byte(`{"id":"1"}`))
	})
	_, gw := newGateway(t, e, Config{Resolver: instances(up.addr())})
	for _, path := range []string{"/v1/contacts/1", "/v1/contacts/cacheable"} {
		resp := do(t, http.MethodGet, gw.URL+path, writer(), e, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if got := resp.Header.Values("Cache-Control"); !slices.Equal(got, []string{"no-store"}) {
			t.Errorf("GET %s: Cache-Control %q, want no-store once", path, got)
		}
		if got := resp.Header.Values("X-Content-Type-Options"); !slices.Equal(got, []string{"nosniff"}) {
			t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff once", path, got)
		}
	}
}
