package proxy_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/services/gateway/audit"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
	"github.com/rapport-crm/rapport/services/gateway/ratelimit"
)

// chatProtocol is the subprotocol the support service's chat sockets speak.
const chatProtocol = "rapport.chat.v1"

// TestChainPassesWebSocketUpgrades opens a WebSocket through every layer
// cmd/gateway puts before a service (starter.Handler's metrics and routes,
// the route check, request id, authentication, rate limit, audit, proxy):
// none may hide the connection's Hijacker. The user's token the client
// offers as a subprotocol never reaches the service, and the service's
// choice of the other reaches the client.
func TestChainPassesWebSocketUpgrades(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	signer, internal := newSigner(t), newSigner(t)
	userVerifier := newVerifier(t, signer, "gateway")
	upstreamVerifier := newVerifier(t, internal, "support")

	var (
		mu   sync.Mutex
		seen http.Header // what the service was sent
	)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = r.Header.Clone()
		mu.Unlock()
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if _, err := upstreamVerifier.Verify(r.Context(), tok); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{chatProtocol}})
		if err != nil {
			return
		}
		defer conn.CloseNow()
		for {
			typ, b, err := conn.Read(r.Context())
			if err != nil {
				return
			}
			if err := conn.Write(r.Context(), typ, append([]byte("echo: "), b...)); err != nil {
				return
			}
		}
	}))
	t.Cleanup(up.Close)

	store, writer := auditLog(t)

	routes, err := proxy.NewTable(proxy.DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	ph, err := proxy.New(proxy.Config{Routes: routes, Tenants: tenantDir{},
		Resolver: discovery.NewStatic(map[string]string{"support": up.Listener.Addr().String()}), Signer: internal, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ph.Close)
	// The test's authenticator takes the Authorization header only (the
	// identity package's tests cover the subprotocol's token).
	authn := proxy.AuthenticatorFunc(func(ctx context.Context, r *http.Request) (auth.Principal, error) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return auth.Principal{}, auth.ErrUnauthenticated
		}
		return userVerifier.Verify(ctx, tok)
	})
	limited := ratelimit.Middleware(ratelimit.Config{Limiter: ratelimit.NewMemory(), Logger: quiet})
	audited := audit.Middleware(writer, audit.Policy{Routes: routes, BulkReadLimit: audit.DefaultBulkReadLimit})
	mux := http.NewServeMux()
	mux.Handle("/", proxy.RequireRoute(routes)(proxy.Authenticate(authn)(limited(audited(ph)))))
	gw := httptest.NewServer(starter.Handler(mux, obs.NewMetrics("gateway")))
	t.Cleanup(gw.Close)

	token, err := signer.Sign(auth.Principal{TenantID: chainTenant, UserID: "u-1", Permissions: []string{"support:*"}}, "gateway", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	const chat = "/v1/chats/0190c5e6-3333-7000-8000-000000000001/ws"
	bearerProtocol := "rapport.bearer." + token
	conn, res, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(gw.URL, "http")+chat, &websocket.DialOptions{
		HTTPHeader:   http.Header{"Authorization": {"Bearer " + token}},
		Subprotocols: []string{chatProtocol, bearerProtocol},
	})
	if err != nil {
		t.Fatalf("dial: %v (%+v)", err, res)
	}
	defer conn.CloseNow()
	if got := conn.Subprotocol(); got != chatProtocol {
		t.Errorf("subprotocol %q, want %q", got, chatProtocol)
	}
	for _, text := range []string{"hello", "你好"} {
		if err := conn.Write(t.Context(), websocket.MessageText, []byte(text)); err != nil {
			t.Fatal(err)
		}
		_, b, err := conn.Read(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != "echo: "+text {
			t.Errorf("read %q, want the echo of %q", b, text)
		}
	}
	mu.Lock()
	got := seen.Values("Sec-WebSocket-Protocol")
	mu.Unlock()
	if len(got) != 1 || got[0] != chatProtocol {
		t.Errorf("the service was offered %q, want only %q", got, chatProtocol)
	}
	if err := conn.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}

	// The socket is a read of personal data (a chat): audited once it
	// closes as the 101 it was, naming the path but never the token.
	entries := waitAudit(t, store, chainTenant, 1)
	if len(entries) != 1 || entries[0].Path != chat || entries[0].Kind != audit.KindRead || entries[0].UserID != "u-1" ||
		entries[0].Status != http.StatusSwitchingProtocols {
		t.Fatalf("audit entries %+v, want the socket's read", entries)
	}
	b, err := json.Marshal(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), token) {
		t.Errorf("the audit entry holds the token: %s", b)
	}
}
