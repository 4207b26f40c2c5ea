package support_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/resource"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/chat"
)

// A visitor on one replica and an agent on another chat over real
// WebSockets: each message reaches both sockets in order, whichever
// replica took it (LISTEN/NOTIFY), the transcript is the case's thread,
// and ending the chat closes both sockets.
func TestChatTranscriptLandsInTheCaseThread(t *testing.T) {
	e := newEnv(t)
	r := e.replica()
	tenant := uuid.NewString()
	agent := newUser(tenant)

	v, sess := e.startChat(tenant, "Li Wei", "li.wei@example.com")
	if sess.Status != chat.StatusWaiting || sess.CaseID == "" {
		t.Fatalf("session %+v, want waiting with a case", sess)
	}
	list := contracttest.Decode[resource.List[chat.Session]](r.want(r.do(agent, "GET", "/v1/chats", nil), http.StatusOK)).Items
	if len(list) != 1 || list[0].ID != sess.ID {
		t.Fatalf("chats %+v, want the one waiting", list)
	}
	acc := contracttest.Decode[chat.Session](r.want(r.do(agent, "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusOK))
	if acc.Status != chat.StatusActive || acc.AgentID == nil || *acc.AgentID != agent.id {
		t.Fatalf("accepted %+v, want active and the agent's", acc)
	}
	a := r.dialChat(agent, "/v1/chats/"+sess.ID+"/ws")

	v.send(chat.Frame{Type: chat.FrameMessage, Text: "My printer prints blank pages."})
	v.message(chat.AuthorVisitor, "My printer prints blank pages.")
	if m := a.message(chat.AuthorVisitor, "My printer prints blank pages."); m.Seq != 1 {
		t.Fatalf("first message numbered %d", m.Seq)
	}
	a.send(chat.Frame{Type: chat.FrameMessage, Text: "Have you checked the toner?"})
	a.message(chat.AuthorAgent, "Have you checked the toner?")
	v.message(chat.AuthorAgent, "Have you checked the toner?")
	v.send(chat.Frame{Type: chat.FrameMessage, Text: "谢谢, that was it."})
	v.message(chat.AuthorVisitor, "谢谢, that was it.")
	a.message(chat.AuthorVisitor, "谢谢, that was it.")

	ended := contracttest.Decode[chat.Session](e.want(e.do(agent, "POST", "/v1/chats/"+sess.ID+"/end", nil), http.StatusOK))
	if ended.Status != chat.StatusEnded || ended.EndedAt == nil {
		t.Fatalf("ended %+v", ended)
	}
	for _, c := range []*chatConn{v, a} {
		c.message(chat.AuthorSystem, "The chat has ended.")
		c.next(chat.FrameEnded)
		if s := c.closed(); s != websocket.StatusNormalClosure {
			t.Fatalf("closed with %d, want a normal closure", s)
		}
	}

	kase := e.readCase(agent, sess.CaseID)
	if kase.Channel != chat.Channel || kase.AssigneeID != agent.id {
		t.Fatalf("case %+v, want channel chat, assigned to the agent", kase)
	}
	var thread []string
	for _, en := range e.entriesOf(agent, sess.CaseID) {
		if !en.Public || en.Kind != cases.KindReply || en.Channel != chat.Channel {
			t.Fatalf("entry %+v, want a public chat reply", en)
		}
		thread = append(thread, en.AuthorType+": "+en.BodyText)
	}
	want := []string{"customer: My printer prints blank pages.", "agent: Have you checked the toner?", "customer: 谢谢, that was it."}
	if !slices.Equal(thread, want) {
		t.Fatalf("thread %q, want %q", thread, want)
	}
	if list := contracttest.Decode[resource.List[chat.Session]](e.want(e.do(agent, "GET", "/v1/chats", nil), http.StatusOK)).Items; len(list) != 0 {
		t.Fatalf("chats %+v after the end, want none", list)
	}
	e.want(e.do(agent, "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusConflict)
	contracttest.ValidateEvents(t, "api/events", e.published())
}

// A message over the limit is refused with an error frame and the socket
// goes on; a frame over the socket's read limit closes it with 1009; a
// start without a valid email is refused naming the field.
func TestChatRefusesOversizedMessages(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()

	v := e.dialChat(portalUser(tenant), "/portal/v1/chat")
	v.send(chat.Frame{Type: chat.FrameStart, Name: "Ann", Email: "not an address"})
	if f := v.next(chat.FrameError); f.Error.Code != "validation-failed" || len(f.Error.Fields) != 1 || f.Error.Fields[0].Field != "email" {
		t.Fatalf("refused start %+v, want email named", f.Error)
	}
	v.send(chat.Frame{Type: chat.FrameStart, Name: "Ann", Email: "ann@example.com"})
	sess := *v.next(chat.FrameSession).Session

	v.send(chat.Frame{Type: chat.FrameMessage, Text: strings.Repeat("字", chat.MaxText+1)})
	if f := v.next(chat.FrameError); f.Error.Code != "chat-message-too-long" {
		t.Fatalf("error %+v, want chat-message-too-long", f.Error)
	}
	v.send(chat.Frame{Type: chat.FrameMessage, Text: strings.Repeat("字", chat.MaxText)})
	v.message(chat.AuthorVisitor, strings.Repeat("字", chat.MaxText))
	v.sendRaw([]byte(`{"type":"message","text":"` + strings.Repeat("a", chat.MaxFrame) + `"}`))
	if s := v.closed(); s != websocket.StatusMessageTooBig {
		t.Fatalf("closed with %d, want 1009", s)
	}
	var stored []string
	if err := e.admin.Select(&stored, "SELECT body FROM chat_messages WHERE session_id = $1 AND author_type = 'visitor' ORDER BY seq", sess.ID); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0] != strings.Repeat("字", chat.MaxText) {
		t.Fatalf("%d messages stored, want the one within the limit", len(stored))
	}
}

// One side of a chat gets PerMinute messages a minute, the rest refused
// (the socket goes on); the other side is not held back.
func TestChatRateLimitsEachSide(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	agent := newUser(tenant)
	v, sess := e.startChat(tenant, "Bo", "bo@example.com")
	e.want(e.do(agent, "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusOK)
	a := e.dialChat(agent, "/v1/chats/"+sess.ID+"/ws")
	for range chat.PerMinute {
		v.send(chat.Frame{Type: chat.FrameMessage, Text: "hello?"})
		v.message(chat.AuthorVisitor, "hello?")
	}
	v.send(chat.Frame{Type: chat.FrameMessage, Text: "hello??"})
	if f := v.next(chat.FrameError); f.Error.Code != "chat-rate-limited" {
		t.Fatalf("error %+v, want chat-rate-limited", f.Error)
	}
	a.send(chat.Frame{Type: chat.FrameMessage, Text: "Hi Bo"})
	v.message(chat.AuthorAgent, "Hi Bo")
}

// Only the agent who accepted a chat gets its socket; another agent's
// accept is a conflict, another tenant's a 404; a request that is no
// upgrade is 426; the visitor ends the chat from their socket.
func TestChatAgentsRules(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	agent, other := newUser(tenant), newUser(tenant)
	v, sess := e.startChat(tenant, "Cy", "cy@example.com")

	e.want(e.do(agent, "GET", "/v1/chats/"+sess.ID+"/ws", nil), http.StatusForbidden)
	e.want(e.do(agent.as("support:read"), "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusForbidden)
	e.want(e.do(agent, "POST", "/v1/chats/"+uuid.NewString()+"/accept", nil), http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusNotFound)
	if f := e.want(e.do(agent, "POST", "/v1/chats/not-a-chat/accept", nil), http.StatusBadRequest).fields(); !slices.Equal(f, []string{"id"}) {
		t.Fatalf("fields %v, want id", f)
	}
	e.want(e.do(agent, "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusOK)
	e.want(e.do(agent, "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusOK)
	e.want(e.do(other, "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusConflict)
	e.want(e.do(other, "GET", "/v1/chats/"+sess.ID+"/ws", nil), http.StatusForbidden)
	e.want(e.do(agent, "GET", "/v1/chats/"+sess.ID+"/ws", nil), http.StatusUpgradeRequired)
	if list := contracttest.Decode[resource.List[chat.Session]](e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/chats", nil),
		http.StatusOK)).Items; len(list) != 0 {
		t.Fatalf("another tenant sees %+v", list)
	}

	a := e.dialChat(agent, "/v1/chats/"+sess.ID+"/ws")
	v.send(chat.Frame{Type: chat.FrameEnd})
	for _, c := range []*chatConn{v, a} {
		c.message(chat.AuthorSystem, "The chat has ended.")
		c.next(chat.FrameEnded)
	}
	e.want(e.do(agent, "GET", "/v1/chats/"+sess.ID+"/ws", nil), http.StatusConflict)
}

// A visitor who closes their socket ends the chat: the agent's socket is
// told, and the chat leaves the list.
func TestChatEndsWhenTheVisitorLeaves(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	agent := newUser(tenant)
	v, sess := e.startChat(tenant, "Di", "di@example.com")
	e.want(e.do(agent, "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusOK)
	a := e.dialChat(agent, "/v1/chats/"+sess.ID+"/ws")
	v.send(chat.Frame{Type: chat.FrameMessage, Text: "Never mind, bye."})
	a.message(chat.AuthorVisitor, "Never mind, bye.")
	if err := v.conn.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatal(err)
	}
	a.message(chat.AuthorSystem, "The chat has ended.")
	a.next(chat.FrameEnded)
	if list := contracttest.Decode[resource.List[chat.Session]](e.want(e.do(agent, "GET", "/v1/chats", nil), http.StatusOK)).Items; len(list) != 0 {
		t.Fatalf("chats %+v after the visitor left, want none", list)
	}
}

// Both sockets echo chat.Subprotocol to a client that offers it among
// others (a browser's agent socket also offers its token, which the
// gateway removes first), and serve a client that offers none.
func TestChatSocketsEchoTheSubprotocol(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	agent := newUser(tenant)

	plain := e.dialChatOffering(portalUser(tenant), "/portal/v1/chat")
	if got := plain.conn.Subprotocol(); got != "" {
		t.Errorf("a visitor offering none got subprotocol %q", got)
	}
	plain.send(chat.Frame{Type: chat.FrameStart, Name: "Ana", Email: "ana@example.com"})
	sess := *plain.next(chat.FrameSession).Session
	e.want(e.do(agent, "POST", "/v1/chats/"+sess.ID+"/accept", nil), http.StatusOK)

	for _, c := range []struct {
		name string
		u    user
		path string
	}{
		{"visitor", portalUser(tenant), "/portal/v1/chat"},
		{"agent", agent, "/v1/chats/" + sess.ID + "/ws"},
	} {
		conn := e.dialChatOffering(c.u, c.path, "rapport.chat.v0", chat.Subprotocol)
		if got := conn.conn.Subprotocol(); got != chat.Subprotocol {
			t.Errorf("%s socket: subprotocol %q, want %q", c.name, got, chat.Subprotocol)
		}
	}
}
