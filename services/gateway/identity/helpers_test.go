package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/services/gateway/migrations"
)

// testArgon2 keeps tests fast; the cost does not change what is tested.
var testArgon2 = Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const testPlatformToken = "platform-token-for-tests-0123456789"

// env is a gateway identity service on a fresh database, served over HTTP.
type env struct {
	s   *Service
	srv *httptest.Server
	c   *client
	// metrics holds what the service counted (GatewayMetrics).
	metrics *obs.Metrics

	mu        sync.Mutex
	logins    []LoginEvent    // what OnLogin was told
	exchanges []ExchangeEvent // what OnExchange was told
}

func setup(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	db := testkit.Postgres(t)
	owner := testkit.Open(t, db.AdminURL)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := pg.Migrate(ctx, owner.DB, logger, db.AppRole, pg.EmbeddedSource("gateway", migrations.FS, ".")); err != nil {
		t.Fatal(err)
	}
	app := testkit.Open(t, db.AppURL)
	if err := pg.CheckRole(ctx, app.DB); err != nil {
		t.Fatal(err)
	}
	keys, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	srv.Start()
	t.Cleanup(srv.Close)
	e := &env{srv: srv, c: newClient(t, srv.URL), metrics: obs.NewMetrics("gateway")}
	s, err := New(Config{DB: app, Keys: keys, DataKey: bytes.Repeat([]byte{7}, DataKeyLen), PublicURL: srv.URL,
		PlatformToken: testPlatformToken, Argon2: testArgon2, Logger: logger, Metrics: obs.NewGatewayMetrics(e.metrics),
		OnLogin: func(_ context.Context, ev LoginEvent) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.logins = append(e.logins, ev)
		},
		OnExchange: func(_ context.Context, ev ExchangeEvent) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.exchanges = append(e.exchanges, ev)
		}})
	if err != nil {
		t.Fatal(err)
	}
	e.s = s
	Mount(mux, s, nil)
	return e
}

// tenant creates a tenant whose admin has accepted the invitation, and
// returns the tenant and the admin's tokens.
func (e *env) tenant(t *testing.T, slug string) (Tenant, TokenPair) {
	t.Helper()
	var created CreatedTenant
	e.c.call(t, "POST", "/admin/v1/tenants", platformAuth(), map[string]any{
		"slug": slug, "name": strings.ToUpper(slug), "admin": map[string]string{"email": "admin@" + slug + ".test"},
	}, 201, &created)
	var pair TokenPair
	e.c.call(t, "POST", "/v1/auth/accept-invitation", nil, map[string]string{
		"token": created.Admin.InvitationToken, "password": "admin-password-1",
	}, 200, &pair)
	return created.Tenant, pair
}

func platformAuth() http.Header {
	return http.Header{"Authorization": {"Bearer " + testPlatformToken}}
}

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// client sends requests and validates both requests and responses against
// api/openapi.yaml (newClient) or another document of api/ (newClientFor).
type client struct {
	base   string
	hc     *http.Client
	router routers.Router
}

func newClient(t *testing.T, base string) *client {
	t.Helper()
	return newClientFor(t, base, "openapi.yaml")
}

func newClientFor(t *testing.T, base, document string) *client {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("../api/" + document)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s: %v", document, err)
	}
	doc.Servers = openapi3.Servers{{URL: base}} // the spec's "/" is relative to wherever the gateway runs
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &client{base: base, hc: hc, router: router}
}

// do sends the request and returns the status and body, failing the test if
// either side breaks the contract.
func (c *client) do(t *testing.T, method, path string, hdr http.Header, body any) (int, []byte, http.Header) {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in openapi.yaml: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Fatalf("%s %s request breaks openapi.yaml: %v", method, path, err)
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes(got)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Fatalf("%s %s response %d breaks openapi.yaml: %v\n%s", method, path, resp.StatusCode, err, got)
	}
	return resp.StatusCode, got, resp.Header
}

// call is do that checks the status and decodes the body into dst.
func (c *client) call(t *testing.T, method, path string, hdr http.Header, body any, want int, dst any) []byte {
	t.Helper()
	got, raw, _ := c.do(t, method, path, hdr, body)
	if got != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, got, want, raw)
	}
	if dst != nil {
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return raw
}

// problemType returns the type slug of a problem body.
func problemType(t *testing.T, raw []byte) string {
	t.Helper()
	var p struct{ Type string }
	_ = json.Unmarshal(raw, &p)
	return strings.TrimPrefix(p.Type, "https://rapport.dev/problems/")
}

func bytesContains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
