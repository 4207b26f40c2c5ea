package proxy

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/discovery"
)

// Tenant ids of the tests: acme is shared, globex dedicated.
const (
	acmeID   = "0190c5e6-0000-7000-8000-00000000000a"
	globexID = "0190c5e6-0000-7000-8000-00000000000b"
)

// env is a gateway's key material for a test: users hold tokens from
// userSigner (checked by the test authenticator, as the identity package
// checks its access tokens), and upstreams check the internal tokens the
// proxy mints with internal.
type env struct {
	userSigner *auth.Signer
	userVerify *auth.Verifier
	internal   *auth.Signer
	jwksURL    string // the internal signer's JWKS
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{userSigner: mustSigner(t), internal: mustSigner(t)}
	e.userVerify = mustVerifier(t, jwksServer(t, e.userSigner), "gateway")
	e.jwksURL = jwksServer(t, e.internal)
	return e
}

func mustSigner(t *testing.T) *auth.Signer {
	t.Helper()
	s, err := auth.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustVerifier(t *testing.T, url, audience string) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(t.Context(), url, audience)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// jwksServer serves s's public keys and returns their URL.
func jwksServer(t *testing.T, s *auth.Signer) string {
	t.Helper()
	b, err := s.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// token returns a user token for p, as a client would send it.
func (e *env) token(t *testing.T, p auth.Principal) string {
	t.Helper()
	tok, err := e.userSigner.Sign(p, "gateway", auth.DefaultTTL)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// authenticator verifies user tokens from the Authorization header.
func (e *env) authenticator() Authenticator {
	return AuthenticatorFunc(func(ctx context.Context, r *http.Request) (auth.Principal, error) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return auth.Principal{}, auth.ErrUnauthenticated
		}
		return e.userVerify.Verify(ctx, tok)
	})
}

// tenantsFunc adapts a function to TenantDirectory.
type tenantsFunc func(ctx context.Context, id string) (string, bool, error)

func (f tenantsFunc) Tenant(ctx context.Context, id string) (string, bool, error) { return f(ctx, id) }

// tenants knows acme (shared) and globex (dedicated).
var tenants = tenantsFunc(func(_ context.Context, id string) (string, bool, error) {
	switch id {
	case acmeID:
		return "acme", false, nil
	case globexID:
		return "globex", true, nil
	}
	return "", false, auth.ErrForbidden.WithDetail("unknown tenant")
})

// resolverFunc adapts a function to discovery.Resolver.
type resolverFunc func(ctx context.Context, service, tenant string) ([]discovery.Instance, error)

func (f resolverFunc) Resolve(ctx context.Context, service, tenant string) ([]discovery.Instance, error) {
	return f(ctx, service, tenant)
}

// instances resolves every service and tenant to the instances at addrs.
func instances(addrs ...string) discovery.Resolver {
	return resolverFunc(func(context.Context, string, string) ([]discovery.Instance, error) {
		out := make([]discovery.Instance, len(addrs))
		for i, a := range addrs {
			out[i] = discovery.Instance{ID: a, Address: a, Tags: []string{discovery.SharedTag}}
		}
		return out, nil
	})
}

// seen is what an upstream saw of one request.
type seen struct {
	Method    string
	Path      string
	Query     string
	Header    http.Header
	Principal auth.Principal
	AuthErr   string
}

// upstream is a service instance that verifies the internal token for its
// audience and records what it saw.
type upstream struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func (u *upstream) addr() string { return u.Listener.Addr().String() }

func (u *upstream) last(t *testing.T) seen {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.reqs) == 0 {
		t.Fatal("the upstream saw no request")
	}
	return u.reqs[len(u.reqs)-1]
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.reqs)
}

// newUpstream starts an upstream for audience answering with respond (nil:
// 200 with the principal as JSON).
func newUpstream(t *testing.T, e *env, audience string, respond http.HandlerFunc) *upstream {
	t.Helper()
	v := mustVerifier(t, e.jwksURL, audience)
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", r.Header.Get("X-Request-Id")) // as every service echoes it
		s := seen{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()}
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		p, err := v.Verify(r.Context(), tok)
		if err != nil {
			s.AuthErr = err.Error()
		}
		s.Principal = p
		u.mu.Lock()
		u.reqs = append(u.reqs, s)
		u.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if respond != nil {
			respond(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"user": p.UserID, "tenant": p.TenantID})
	}))
	t.Cleanup(u.Close)
	return u
}

// newGateway starts the proxy over cfg, filling in the env's parts.
func newGateway(t *testing.T, e *env, cfg Config) (*Handler, *httptest.Server) {
	t.Helper()
	if cfg.Authenticator == nil {
		cfg.Authenticator = e.authenticator()
	}
	if cfg.Tenants == nil {
		cfg.Tenants = tenants
	}
	cfg.Signer = e.internal
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Close() })
	return h, srv
}

// do sends a request with a user token for p (none when p is nil).
func do(t *testing.T, method, url string, p *auth.Principal, e *env, body io.Reader, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if p != nil {
		req.Header.Set("Authorization", "Bearer "+e.token(t, *p))
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// problemType returns the type of a problem response, or "".
func problemType(t *testing.T, resp *http.Response) string {
	t.Helper()
	if resp.Header.Get("Content-Type") != "application/problem+json" {
		return ""
	}
	var p struct {
		Type string `json:"type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(p.Type, "https://rapport.dev/problems/")
}

// writer is a principal of acme allowed to read and write contacts.
func writer() *auth.Principal {
	return &auth.Principal{TenantID: acmeID, UserID: "0190c5e6-0000-7000-8000-000000000101", Roles: []string{"sales_rep"}, Permissions: []string{"contacts:*", "sales:read"}}
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }
