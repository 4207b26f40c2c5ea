package svcclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// gateway builds the real gateway once per test binary.
var gateway struct {
	once sync.Once
	bin  string
	err  error
}

// world is the real gateway (built from services/gateway, on its own
// database) in front of two services of this test: "sales" and
// "contacts", each behind auth.Middleware verifying the gateway's tokens
// for its audience, as the starter serves a service. The gateway routes
// /v1/leads to sales and /v1/contacts to contacts (STATIC_UPSTREAMS).
type world struct {
	URL, platformToken string
	contactsURL        string // the contacts service itself
	client             *Client
	exchanges          atomic.Int64 // the token exchanges client sent
	skew               atomic.Int64 // how far the client's clock is ahead, in nanoseconds
}

// startWorld starts the gateway and the two services; sales serves with
// salesMux, contacts with contactsMux, and their principals' exchanges go
// through the world's client.
func startWorld(t *testing.T, salesMux, contactsMux *http.ServeMux) *world {
	t.Helper()
	gateway.once.Do(func() {
		root, err := proc.RepoRoot()
		if err != nil {
			gateway.err = err
			return
		}
		dir, err := os.MkdirTemp("", "svcclient-gateway-")
		if err != nil {
			gateway.err = err
			return
		}
		gateway.bin, gateway.err = filepath.Join(dir, "gateway"), proc.Build(context.Background(), root, dir, "./services/gateway/cmd/gateway")
	})
	if gateway.err != nil {
		t.Fatal(gateway.err)
	}
	db := testkit.Postgres(t)
	addrs := testkit.FreeAddrs(t, 2)
	w := &world{URL: "http://" + addrs[0], platformToken: randomHex(t, 24)}
	sales, contacts := httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)
	w.contactsURL = "http://" + contacts.Listener.Addr().String()

	p, err := proc.Start(proc.Config{Name: "gateway", Path: gateway.bin, Env: append(os.Environ(),
		"DATABASE_URL="+db.AppURL, "DATABASE_MIGRATE_URL="+db.AdminURL,
		"GATEWAY_ADDR="+addrs[0], "GATEWAY_METRICS_ADDR="+addrs[1], "GATEWAY_PUBLIC_URL="+w.URL,
		"GATEWAY_DATA_KEY="+base64.StdEncoding.EncodeToString([]byte(randomHex(t, 16))),
		"GATEWAY_PLATFORM_TOKEN="+w.platformToken,
		"STATIC_UPSTREAMS=sales="+sales.Listener.Addr().String()+",contacts="+contacts.Listener.Addr().String(),
		"LOG_LEVEL=warn",
	)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Stop(10 * time.Second)
		if t.Failed() {
			t.Logf("gateway log:\n%s", p.Tail(0))
		}
	})
	if err := p.WaitReady(t.Context(), w.URL, time.Minute); err != nil {
		t.Fatal(err)
	}

	counted := &http.Client{Timeout: 10 * time.Second, Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == tokenExchangePath {
			w.exchanges.Add(1)
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	if w.client, err = New(w.URL, counted); err != nil {
		t.Fatal(err)
	}
	w.client.now = func() time.Time { return time.Now().Add(time.Duration(w.skew.Load())) }
	for _, s := range []struct {
		srv      *httptest.Server
		audience string
		mux      *http.ServeMux
	}{{sales, "sales", salesMux}, {contacts, "contacts", contactsMux}} {
		v, err := auth.NewVerifier(t.Context(), w.URL+"/.well-known/jwks.json", s.audience)
		if err != nil {
			t.Fatal(err)
		}
		s.srv.Config.Handler = kitx.RequestID(auth.Middleware(v)(s.mux))
		s.srv.Start()
		t.Cleanup(s.srv.Close)
	}
	return w
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// tenant creates a tenant through the operator's API and returns its id
// and its administrator's access token.
func (w *world) tenant(t *testing.T, slug string) (id, token string) {
	t.Helper()
	var created struct {
		Tenant struct{ ID string }
		Admin  struct{ InvitationToken string }
	}
	w.call(t, "POST", "/admin/v1/tenants", w.platformToken, map[string]any{
		"slug": slug, "name": slug, "admin": map[string]string{"email": "admin@" + slug + ".test"},
	}, 201, &created)
	return created.Tenant.ID, w.accept(t, created.Admin.InvitationToken)
}

// accept accepts an invitation and returns the new user's access token.
func (w *world) accept(t *testing.T, invitation string) string {
	t.Helper()
	var pair struct{ AccessToken string }
	w.call(t, "POST", "/v1/auth/accept-invitation", "", map[string]string{"token": invitation, "password": "a-password-of-length"}, 200, &pair)
	return pair.AccessToken
}

// call sends a request to the gateway, checks the status and decodes the
// answer into out, returning the raw body.
func (w *world) call(t *testing.T, method, path, token string, body any, want int, out any) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, w.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return raw
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
