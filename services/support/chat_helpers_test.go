package support_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/rapport-crm/rapport/services/support/chat"
)

// chatWait bounds a wait for a frame, so that a missing one fails the test
// instead of hanging it; it asserts no speed.
const chatWait = 30 * time.Second

// chatConn is a WebSocket of a chat, through the library's client.
type chatConn struct {
	t    *testing.T
	conn *websocket.Conn
}

// dialChat opens a WebSocket on path as u (the gateway's internal token in
// its Authorization header) offering chat.Subprotocol, as browsers do,
// failing the test with the answer when the upgrade is refused or the
// subprotocol not echoed.
func (e *env) dialChat(u user, path string) *chatConn {
	e.t.Helper()
	c := e.dialChatOffering(u, path, chat.Subprotocol)
	if got := c.conn.Subprotocol(); got != chat.Subprotocol {
		e.t.Fatalf("dial %s: subprotocol %q, want %q", path, got, chat.Subprotocol)
	}
	return c
}

// dialChatOffering opens a WebSocket on path as u offering the
// subprotocols protocols (perhaps none).
func (e *env) dialChatOffering(u user, path string, protocols ...string) *chatConn {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.authorize(req, u)
	ctx, stop := context.WithTimeout(e.t.Context(), chatWait)
	defer stop()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.base, "http")+path, &websocket.DialOptions{HTTPHeader: req.Header, Subprotocols: protocols})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		e.t.Fatalf("dial %s: status %d: %v", path, status, err)
	}
	e.t.Cleanup(func() { _ = conn.CloseNow() })
	return &chatConn{t: e.t, conn: conn}
}

// send sends f.
func (c *chatConn) send(f chat.Frame) {
	c.t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(b)
}

// sendRaw sends b as a text frame.
func (c *chatConn) sendRaw(b []byte) {
	c.t.Helper()
	ctx, stop := context.WithTimeout(c.t.Context(), chatWait)
	defer stop()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

// read reads the next frame, or the error that closed the socket.
func (c *chatConn) read() (chat.Frame, error) {
	ctx, stop := context.WithTimeout(c.t.Context(), chatWait)
	defer stop()
	var f chat.Frame
	_, b, err := c.conn.Read(ctx)
	if err == nil {
		err = json.Unmarshal(b, &f)
	}
	return f, err
}

// next reads the next frame, which must be of type typ.
func (c *chatConn) next(typ string) chat.Frame {
	c.t.Helper()
	f, err := c.read()
	if err != nil {
		c.t.Fatalf("waiting for a %s frame: %v", typ, err)
	}
	if f.Type != typ {
		c.t.Fatalf("frame %+v (error %+v), want type %s", f, f.Error, typ)
	}
	return f
}

// message reads the next frame, a message, and checks its text and
// author.
func (c *chatConn) message(authorType, text string) chat.Message {
	c.t.Helper()
	m := *c.next(chat.FrameMessage).Message
	if m.AuthorType != authorType || m.Text != text {
		c.t.Fatalf("message %+v, want %q from %s", m, text, authorType)
	}
	return m
}

// closed reads until the socket closes and returns its close status.
func (c *chatConn) closed() websocket.StatusCode {
	c.t.Helper()
	for {
		if _, err := c.read(); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

// startChat opens a visitor's chat on tenant's portal and returns the
// socket and the session.
func (e *env) startChat(tenant, name, email string) (*chatConn, chat.Session) {
	e.t.Helper()
	v := e.dialChat(portalUser(tenant), "/portal/v1/chat")
	v.send(chat.Frame{Type: chat.FrameStart, Name: name, Email: email})
	return v, *v.next(chat.FrameSession).Session
}
