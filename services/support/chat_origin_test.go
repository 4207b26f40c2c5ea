package support_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/google/uuid"
)

// Behind the gateway a socket's Host is the service's address: a page of
// the host the gateway took the request on (X-Forwarded-Host) opens the
// socket, a page of another site does not.
func TestChatSocketTakesPagesOfTheGatewaysHost(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	dial := func(origin string) int {
		req, err := http.NewRequest("GET", e.base+"/portal/v1/chat", nil)
		if err != nil {
			t.Fatal(err)
		}
		e.authorize(req, portalUser(tenant))
		req.Header.Set("Origin", origin)
		req.Header.Set("X-Forwarded-Host", "crm.example.com")
		ctx, stop := context.WithTimeout(t.Context(), chatWait)
		defer stop()
		conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.base, "http")+"/portal/v1/chat", &websocket.DialOptions{HTTPHeader: req.Header})
		if err == nil {
			_ = conn.CloseNow()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatalf("dial from %s: %v", origin, err)
		}
		return resp.StatusCode
	}
	if got := dial("https://crm.example.com"); got != http.StatusSwitchingProtocols {
		t.Errorf("a page of the gateway's host gets %d, want the socket", got)
	}
	if got := dial("https://evil.example"); got != http.StatusForbidden {
		t.Errorf("a page of another site gets %d, want 403", got)
	}
}
