package proxy_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/services/gateway/audit"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
	"github.com/rapport-crm/rapport/services/gateway/ratelimit"
)

// The tenants of TestChain.
const (
	chainTenant  = "0190c5e6-0000-7000-8000-0000000000c1"
	chainTenant2 = "0190c5e6-0000-7000-8000-0000000000c2"
)

// TestChain runs the order cmd/gateway wires: request id, authentication,
// rate limit, audit, proxy; against a real PostgreSQL for the audit log and
// an upstream that verifies the internal token.
func TestChain(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	signer := newSigner(t)   // the identity package's access tokens
	internal := newSigner(t) // the gateway's internal tokens
	userVerifier := newVerifier(t, signer, "gateway")
	upstreamVerifier := newVerifier(t, internal, "contacts")

	const created = "0190c5e6-2222-7000-8000-000000000001"
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if _, err := upstreamVerifier.Verify(r.Context(), tok); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPatch {
			w.Header().Set(kitx.ChangedFieldsHeader, "emails,firstName")
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Location", "/v1/contacts/"+created)
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(up.Close)

	store, writer := auditLog(t)

	authn := proxy.AuthenticatorFunc(func(ctx context.Context, r *http.Request) (auth.Principal, error) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return auth.Principal{}, auth.ErrUnauthenticated
		}
		return userVerifier.Verify(ctx, tok)
	})
	tenants := tenantDir{}
	ph, err := proxy.New(proxy.Config{
		Tenants:  tenants,
		Resolver: discovery.NewStatic(map[string]string{"contacts": up.Listener.Addr().String()}),
		Signer:   internal,
		Logger:   quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ph.Close)
	limiter := ratelimit.Middleware(ratelimit.Config{Limiter: ratelimit.NewMemory(), Tenant: ratelimit.Limit{Rate: 0.001, Burst: 3}, Logger: quiet})
	chain := kitx.RequestID(proxy.Authenticate(authn)(limiter(audit.Middleware(writer, audit.Policy{})(ph))))
	gw := httptest.NewServer(chain)
	t.Cleanup(gw.Close)

	token, err := signer.Sign(auth.Principal{TenantID: chainTenant, UserID: "u-1", Permissions: []string{"contacts:*"}}, "gateway", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name          string
		token         string
		wantStatus    int
		wantRemaining string
	}{
		{"created", token, 201, "2"},
		{"created again", token, 201, "1"},
		{"no credentials", "", 401, ""},
		{"last of the burst", token, 201, "0"},
		{"limited", token, 429, "0"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, gw.URL+"/v1/contacts", strings.NewReader(`{}`))
			if s.token != "" {
				req.Header.Set("Authorization", "Bearer "+s.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != s.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, s.wantStatus)
			}
			if got := resp.Header.Get("RateLimit-Remaining"); got != s.wantRemaining {
				t.Errorf("RateLimit-Remaining = %q, want %q", got, s.wantRemaining)
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
		})
	}

	// The three requests that reached the service are audited; the 401 and
	// the 429 never got that far.
	entries := waitAudit(t, store, chainTenant, 3)
	if len(entries) != 3 {
		t.Fatalf("audit entries = %d, want 3", len(entries))
	}
	for _, e := range entries {
		if e.UserID != "u-1" || e.Status != 201 || e.ResourceID != created || e.RequestID == "" || e.Method != "POST" {
			t.Errorf("entry %+v", e)
		}
	}

	// An update's changed fields, as the service names them, reach the
	// audit entry and never the client (another tenant: a fresh rate limit).
	other, err := signer.Sign(auth.Principal{TenantID: chainTenant2, UserID: "u-2", Permissions: []string{"contacts:*"}}, "gateway", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPatch, gw.URL+"/v1/contacts/"+created, strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+other)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v, ok := resp.Header[kitx.ChangedFieldsHeader]; resp.StatusCode != http.StatusOK || ok {
		t.Errorf("PATCH = %d with %s %q, want 200 without it", resp.StatusCode, kitx.ChangedFieldsHeader, v)
	}
	entries = waitAudit(t, store, chainTenant2, 1)
	if len(entries) != 1 || !slices.Equal(entries[0].ChangedFields, []string{"emails", "firstName"}) {
		t.Errorf("audit entries of the update = %+v, want one naming emails and firstName", entries)
	}
}

// auditLog returns the audit store on a scratch database (migrated) and a
// writer into it, running until the test ends.
func auditLog(t *testing.T) (*audit.Store, *audit.Writer) {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(t.Context(), admin.DB, quiet, db.AppRole, audit.Migrations()); err != nil {
		t.Fatal(err)
	}
	store := audit.NewStore(testkit.Open(t, db.AppURL))
	writer := audit.NewWriter(store, audit.WriterConfig{FlushInterval: 10 * time.Millisecond, Logger: quiet})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { writer.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return store, writer
}

// waitAudit waits until tenant's audit log lists at least n entries, and
// returns the first ten.
func waitAudit(t *testing.T, store *audit.Store, tenant string, n int) []audit.Entry {
	t.Helper()
	var entries []audit.Entry
	testkit.Eventually(t, 5*time.Second, fmt.Sprintf("%d audit entries of %s", n, tenant), func() (bool, string) {
		var err error
		if entries, _, err = store.List(t.Context(), tenant, audit.Filter{Limit: 10}); err != nil {
			t.Fatal(err)
		}
		return len(entries) >= n, fmt.Sprintf("%d entries", len(entries))
	})
	return entries
}

// tenantDir knows one shared tenant.
type tenantDir struct{}

func (tenantDir) Tenant(context.Context, string) (string, bool, error) { return "chain", false, nil }

func newSigner(t *testing.T) *auth.Signer {
	t.Helper()
	s, err := auth.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newVerifier verifies tokens of s for audience, with s's JWKS served over HTTP.
func newVerifier(t *testing.T, s *auth.Signer, audience string) *auth.Verifier {
	t.Helper()
	jwks, err := s.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(jwks) }))
	t.Cleanup(srv.Close)
	v, err := auth.NewVerifier(t.Context(), srv.URL, audience)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
