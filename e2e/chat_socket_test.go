package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// The subprotocols of the chat's sockets (services/support/chat and the
// gateway's identity package): the chat's frames, and the access token a
// browser offers in place of the Authorization header it cannot set.
const (
	sockChatProtocol   = "rapport.chat.v1"
	sockBearerProtocol = "rapport.bearer."
)

// sockFrame is the part of a chat frame (services/support/chat.Frame)
// this test reads and writes.
type sockFrame struct {
	Type    string `json:"type"`
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
	Text    string `json:"text,omitempty"`
	Session *struct {
		ID string `json:"id"`
	} `json:"session,omitempty"`
	Message *struct {
		AuthorType string `json:"authorType"`
		Text       string `json:"text"`
	} `json:"message,omitempty"`
}

// sockConn is one side's socket of a chat, opened through the gateway.
type sockConn struct {
	t    *testing.T
	who  string
	conn *websocket.Conn
}

// sockDial opens the WebSocket at path on the gateway offering protocols,
// with no Authorization header: the answer's status when it is refused.
func sockDial(t *testing.T, s *stack.Stack, path string, protocols ...string) (*websocket.Conn, int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.GatewayURL, "http")+path, &websocket.DialOptions{Subprotocols: protocols})
	status := 0
	if res != nil {
		status = res.StatusCode
	}
	if err == nil {
		t.Cleanup(func() { _ = conn.CloseNow() })
	}
	return conn, status, err
}

// sockOpen opens the socket at path for who, failing the test unless the
// chat's subprotocol is agreed.
func sockOpen(t *testing.T, s *stack.Stack, who, path string, protocols ...string) *sockConn {
	t.Helper()
	conn, status, err := sockDial(t, s, path, protocols...)
	if err != nil {
		t.Fatalf("the %s opens %s: status %d: %v", who, path, status, err)
	}
	if got := conn.Subprotocol(); got != sockChatProtocol {
		t.Errorf("the %s's socket speaks %q, want %s", who, got, sockChatProtocol)
	}
	return &sockConn{t: t, who: who, conn: conn}
}

// send writes f.
func (c *sockConn) send(f sockFrame) {
	c.t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("the %s sends %s: %v", c.who, b, err)
	}
}

// next reads the next frame, which must be of type typ, waiting a minute
// at most.
func (c *sockConn) next(typ string) sockFrame {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, b, err := c.conn.Read(ctx)
	if err != nil {
		c.t.Fatalf("the %s waits for a %s frame: %v", c.who, typ, err)
	}
	var f sockFrame
	if err := json.Unmarshal(b, &f); err != nil || f.Type != typ {
		c.t.Fatalf("the %s reads %s, want a %s frame", c.who, b, typ)
	}
	return f
}

// message reads the next frame, a message, and checks its author and text.
func (c *sockConn) message(author, text string) {
	c.t.Helper()
	m := c.next("message").Message
	if m == nil || m.AuthorType != author || m.Text != text {
		c.t.Fatalf("the %s reads the message %+v, want %q from the %s", c.who, m, text, author)
	}
}

// TestChatSocket chats through the gateway as browsers do: a visitor on
// tenant A's portal (no credentials), and A's agent, who lists and accepts
// the chat over HTTP, then opens its socket offering the access token as
// the subprotocol rapport.bearer.<token> beside rapport.chat.v1, with no
// Authorization header; messages go both ways. Tenant B's agent is told
// the chat does not exist (404); a forged token is 401, and so is the
// token's subprotocol on a request that is no WebSocket upgrade.
func TestChatSocket(t *testing.T) {
	s := stack.Start(t, bins)
	a, b := s.CreateTenant(t, "sock-a"), s.CreateTenant(t, "sock-b")
	agent := s.Invite(t, a, "agent@sock-a.test", []string{"support_agent"})
	stranger := s.Invite(t, b, "agent@sock-b.test", []string{"support_agent"})

	visitor := sockOpen(t, s, "visitor", "/portal/"+a.Slug+"/api/v1/chat", sockChatProtocol)
	visitor.send(sockFrame{Type: "start", Name: "Li Wei", Email: "li.wei@customer.example"})
	sess := visitor.next("session").Session
	if sess == nil || sess.ID == "" {
		t.Fatal("the visitor's session frame names no session")
	}

	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/chats", Token: agent.Token}, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != sess.ID {
		t.Fatalf("the agent lists the chats %+v, want the visitor's %s", list.Items, sess.ID)
	}
	stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/chats", Token: stranger.Token}, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Errorf("the other tenant's agent lists the chats %+v, want none", list.Items)
	}
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/chats/" + sess.ID + "/accept", Token: agent.Token}, http.StatusOK, nil)

	socket := "/v1/chats/" + sess.ID + "/ws"
	desk := sockOpen(t, s, "agent", socket, sockChatProtocol, sockBearerProtocol+agent.Token)
	visitor.send(sockFrame{Type: "message", Text: "My printer prints blank pages."})
	visitor.message("visitor", "My printer prints blank pages.")
	desk.message("visitor", "My printer prints blank pages.")
	desk.send(sockFrame{Type: "message", Text: "Have you checked the toner? 请检查墨粉。"})
	desk.message("agent", "Have you checked the toner? 请检查墨粉。")
	visitor.message("agent", "Have you checked the toner? 请检查墨粉。")

	t.Run("other tenant", func(t *testing.T) {
		if _, status, err := sockDial(t, s, socket, sockChatProtocol, sockBearerProtocol+stranger.Token); err == nil || status != http.StatusNotFound {
			t.Errorf("the other tenant's agent opens the chat's socket: status %d (%v), want 404", status, err)
		}
	})
	t.Run("forged token", func(t *testing.T) {
		forged := agent.Token[:len(agent.Token)-6] + "AAAAAA"
		if _, status, err := sockDial(t, s, socket, sockChatProtocol, sockBearerProtocol+forged); err == nil || status != http.StatusUnauthorized {
			t.Errorf("a forged token opens the chat's socket: status %d (%v), want 401", status, err)
		}
	})
	t.Run("no upgrade", func(t *testing.T) {
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + socket,
			Header: map[string]string{"Sec-WebSocket-Protocol": sockChatProtocol + ", " + sockBearerProtocol + agent.Token}}, http.StatusUnauthorized, nil)
	})
}
