package auth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// seen is what the protected handler observed.
type seen struct {
	Tenant     string `json:"tenant"`
	User       string `json:"user"`
	TenantHdr  string `json:"tenantHeader"`
	UserHdr    string `json:"userHeader"`
	Authorized bool   `json:"authorized"`
	Token      string `json:"token"` // the token TokenFrom gives the handler
}

// newProtectedServer serves, behind Middleware:
//
//	GET /whoami     the principal, token and identity headers the handler sees
//	GET /contacts   a go-kit endpoint requiring contacts:read
//	GET /reports    a go-kit endpoint requiring reports:read
func newProtectedServer(t *testing.T, v *Verifier) *httptest.Server {
	t.Helper()
	endpoint := func(ctx context.Context, _ any) (any, error) {
		p, _ := PrincipalFrom(ctx)
		return seen{Tenant: p.TenantID, User: p.UserID, Authorized: true}, nil
	}
	decode := func(context.Context, *http.Request) (any, error) { return nil, nil }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		p, _ := PrincipalFrom(r.Context())
		token, _ := TokenFrom(r.Context())
		_ = json.NewEncoder(w).Encode(seen{
			Tenant: p.TenantID, User: p.UserID, Token: token,
			TenantHdr: r.Header.Get("X-Tenant-Id"), UserHdr: r.Header.Get("X-User-Id") + r.Header.Get("X-Internal-Caller"),
		})
	})
	opts := kitx.ServerOptions(nil)
	mux.Handle("GET /contacts", kithttp.NewServer(RequirePermission("contacts:read")(endpoint), decode, kitx.EncodeJSON, opts...))
	mux.Handle("GET /reports", kithttp.NewServer(RequirePermission("reports:read")(endpoint), decode, kitx.EncodeJSON, opts...))
	srv := httptest.NewServer(kitx.RequestID(Middleware(v)(mux)))
	t.Cleanup(srv.Close)
	return srv
}

func TestMiddleware(t *testing.T) {
	signer := newTestSigner(t)
	v := newTestVerifier(t, newJWKSServer(t, signer).URL)
	srv := newProtectedServer(t, v)
	token := mustSign(t, signer)
	expired := *signer
	expired.now = func() time.Time { return time.Now().Add(-time.Hour) }

	tests := []struct {
		name       string
		path       string
		header     map[string]string
		wantStatus int
		wantType   string // problem slug for errors
	}{
		{"valid token", "/whoami", map[string]string{"Authorization": "Bearer " + token}, 200, ""},
		{"lowercase scheme", "/whoami", map[string]string{"Authorization": "bearer " + token}, 200, ""},
		{"identity headers ignored beside a token", "/whoami", map[string]string{
			"Authorization": "Bearer " + token, "X-Tenant-Id": "evil-tenant", "X-User-Id": "evil-user", "X-Internal-Caller": "evil"}, 200, ""},
		{"no credentials", "/whoami", nil, 401, "unauthenticated"},
		{"only identity headers", "/whoami", map[string]string{
			"X-Tenant-Id": testPrincipal.TenantID, "X-User-Id": testPrincipal.UserID, "X-User-Roles": "admin"}, 401, "unauthenticated"},
		{"basic scheme", "/whoami", map[string]string{"Authorization": "Basic dTpw"}, 401, "unauthenticated"},
		{"empty bearer", "/whoami", map[string]string{"Authorization": "Bearer "}, 401, "unauthenticated"},
		{"expired token", "/whoami", map[string]string{"Authorization": "Bearer " + mustSign(t, &expired)}, 401, "invalid-token"},
		{"permitted endpoint", "/contacts", map[string]string{"Authorization": "Bearer " + token}, 200, ""},
		{"forbidden endpoint", "/reports", map[string]string{"Authorization": "Bearer " + token}, 403, "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, val := range tt.header {
				req.Header.Set(k, val)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status got %d, want %d (%s)", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantType != "" {
				var p kitx.Problem
				if err := json.Unmarshal(body, &p); err != nil {
					t.Fatalf("problem %s: %v", body, err)
				}
				if got, want := p.Type, kitx.ProblemTypeBase+tt.wantType; got != want {
					t.Errorf("type got %q, want %q", got, want)
				}
				if ct := resp.Header.Get("Content-Type"); ct != kitx.ProblemContentType {
					t.Errorf("Content-Type got %q, want %q", ct, kitx.ProblemContentType)
				}
				if tt.wantStatus == 401 && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate got %q, want Bearer", resp.Header.Get("WWW-Authenticate"))
				}
				return
			}
			var got seen
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if got.Tenant != testPrincipal.TenantID || got.User != testPrincipal.UserID {
				t.Errorf("principal got (%q, %q), want the token's (%q, %q)", got.Tenant, got.User, testPrincipal.TenantID, testPrincipal.UserID)
			}
			if tt.path == "/whoami" && got.Token != token {
				t.Errorf("TokenFrom got %q, want the request's token", got.Token)
			}
			if got.TenantHdr != "" || got.UserHdr != "" {
				t.Errorf("handler saw identity headers (%q, %q), want none", got.TenantHdr, got.UserHdr)
			}
		})
	}
}

func TestRequirePermissionWithoutPrincipal(t *testing.T) {
	next := func(context.Context, any) (any, error) { return "ok", nil }
	_, err := RequirePermission("contacts:read")(next)(context.Background(), nil)
	if !errors.Is(err, ErrUnauthenticated) {
		t.Errorf("err got %v, want %v", err, ErrUnauthenticated)
	}
}
