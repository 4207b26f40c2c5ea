package e2e

import (
	"net/http"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

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

	visitor := openChat(t, s, "visitor", "/portal/"+a.Slug+"/api/v1/chat", nil, chatSubprotocol)
	visitor.send(chatFrame{Type: "start", Name: "Li Wei", Email: "li.wei@customer.example"})
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
	desk := openChat(t, s, "agent", socket, nil, chatSubprotocol, bearerSubprotocol+agent.Token)
	visitor.send(chatFrame{Type: "message", Text: "My printer prints blank pages."})
	visitor.message("visitor", "My printer prints blank pages.")
	desk.message("visitor", "My printer prints blank pages.")
	desk.send(chatFrame{Type: "message", Text: "Have you checked the toner? 请检查墨粉。"})
	desk.message("agent", "Have you checked the toner? 请检查墨粉。")
	visitor.message("agent", "Have you checked the toner? 请检查墨粉。")

	t.Run("other tenant", func(t *testing.T) {
		if _, status, err := dialChatSocket(t, s, socket, nil, chatSubprotocol, bearerSubprotocol+stranger.Token); err == nil || status != http.StatusNotFound {
			t.Errorf("the other tenant's agent opens the chat's socket: status %d (%v), want 404", status, err)
		}
	})
	t.Run("forged token", func(t *testing.T) {
		forged := agent.Token[:len(agent.Token)-6] + "AAAAAA"
		if _, status, err := dialChatSocket(t, s, socket, nil, chatSubprotocol, bearerSubprotocol+forged); err == nil || status != http.StatusUnauthorized {
			t.Errorf("a forged token opens the chat's socket: status %d (%v), want 401", status, err)
		}
	})
	t.Run("no upgrade", func(t *testing.T) {
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + socket,
			Header: map[string]string{"Sec-WebSocket-Protocol": chatSubprotocol + ", " + bearerSubprotocol + agent.Token}}, http.StatusUnauthorized, nil)
	})
}
