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
	chatSubprotocol   = "rapport.chat.v1"
	bearerSubprotocol = "rapport.bearer."
)

// chatFrame is the part of a frame of the support chat's protocol
// (services/support/chat.Frame) the tests read and write.
type chatFrame struct {
	Type    string `json:"type"`
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
	Text    string `json:"text,omitempty"`
	Session *struct {
		ID     string `json:"id"`
		CaseID string `json:"caseId"`
	} `json:"session,omitempty"`
	Message *struct {
		AuthorType string `json:"authorType"`
		Text       string `json:"text"`
	} `json:"message,omitempty"`
	Error *struct {
		Code string `json:"code"`
	} `json:"error,omitempty"`
}

// chatConn is one side's chat socket, opened from Go through the gateway:
// a portal visitor's, as the widget opens it, or an agent's.
type chatConn struct {
	t    *testing.T
	who  string
	conn *websocket.Conn
}

// dialChatSocket opens the WebSocket at path on the gateway offering
// protocols, with the header h (nil: none): the answer's status when it is
// refused.
func dialChatSocket(t *testing.T, s *stack.Stack, path string, h http.Header, protocols ...string) (*websocket.Conn, int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.GatewayURL, "http")+path,
		&websocket.DialOptions{Subprotocols: protocols, HTTPHeader: h})
	status := 0
	if res != nil {
		status = res.StatusCode
	}
	if err == nil {
		t.Cleanup(func() { _ = conn.CloseNow() })
	}
	return conn, status, err
}

// openChat opens the socket at path for who (dialChatSocket), failing the
// test unless the chat's subprotocol is agreed.
func openChat(t *testing.T, s *stack.Stack, who, path string, h http.Header, protocols ...string) *chatConn {
	t.Helper()
	conn, status, err := dialChatSocket(t, s, path, h, protocols...)
	if err != nil {
		t.Fatalf("the %s opens %s: status %d: %v", who, path, status, err)
	}
	if got := conn.Subprotocol(); got != chatSubprotocol {
		t.Errorf("the %s's socket speaks %q, want %s", who, got, chatSubprotocol)
	}
	return &chatConn{t: t, who: who, conn: conn}
}

// send writes f.
func (c *chatConn) send(f chatFrame) {
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

// next reads frames until one of type typ (failing on an error frame), for
// at most a minute.
func (c *chatConn) next(typ string) chatFrame {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		_, b, err := c.conn.Read(ctx)
		if err != nil {
			c.t.Fatalf("the %s waits for a %s frame: %v", c.who, typ, err)
		}
		var f chatFrame
		if err := json.Unmarshal(b, &f); err != nil {
			c.t.Fatalf("the %s reads %s: %v", c.who, b, err)
		}
		if f.Type == "error" && typ != "error" {
			c.t.Fatalf("the %s's socket refused a frame: %s", c.who, b)
		}
		if f.Type == typ {
			return f
		}
	}
}

// message reads messages until one by author, and checks its text.
func (c *chatConn) message(author, text string) {
	c.t.Helper()
	for {
		f := c.next("message")
		if f.Message == nil || f.Message.AuthorType != author {
			continue
		}
		if f.Message.Text != text {
			c.t.Errorf("the %s reads %s's message %q, want %q", c.who, author, f.Message.Text, text)
		}
		return
	}
}
