package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// TestConsoleChat walks the chat desk in Chromium against the real stack:
// a visitor opens the portal's chat socket (from Go, through the gateway)
// and writes; the agent sees the chat waiting on the desk, accepts it, and
// their socket (the access token offered as a subprotocol, the gateway's
// part) shows the visitor's message; the agent's reply reaches the
// visitor, the visitor's answer the agent; the agent ends the chat, the
// visitor is told, and the chat's case shows the transcript as its
// thread. The desk on a 375 px phone fits the screen. A visitor in the
// portal's widget (Chromium on a phone) waits for an agent, writes, is
// connected once the agent (from Go) answers, and is told when the chat
// ends. Axe on the desk, with a chat open, and on the widget.
func TestConsoleChat(t *testing.T) {
	s := stack.Start(t, bins)
	c := &scene{s: s, tn: s.CreateTenant(t, "console-chat")}

	v := openChat(t, s, "visitor", "/portal/"+c.tn.Slug+"/api/v1/chat", nil, chatSubprotocol)
	v.send(chatFrame{Type: "start", Name: "Li Wei", Email: "li.wei@customer.example"})
	sess := v.next("session").Session
	v.send(chatFrame{Type: "message", Text: "My printer prints blank pages."})
	v.message("visitor", "My printer prints blank pages.")

	p := signIn(t, s, c.tn, c.tn.Admin, desktop)
	p.Go(s.GatewayURL + "/chats")
	p.WaitTestID("page-chats")
	p.Wait(`[data-testid="chat-item"][data-status="waiting"]`)
	if got := textWith(p, `[data-testid="chat-item"][data-status="waiting"]`, "Li Wei"); !strings.Contains(got, "li.wei@customer.example") {
		t.Errorf("the waiting chat shows as %q, want the visitor's name and email", got)
	}
	p.Axe("chat desk")
	p.Click(browser.TestID("chat-accept"))
	p.WaitTestID("chat-panel")
	p.Wait(`[data-testid="chat-state"][data-state="open"]`)
	p.Wait(`[data-testid="chat-message"][data-author="visitor"]`)
	if got := p.Text(`[data-testid="chat-message"][data-author="visitor"]`); !strings.Contains(got, "My printer prints blank pages.") {
		t.Errorf("the agent reads the visitor's message as %q", got)
	}

	p.Fill(browser.TestID("chat-input"), "Have you checked the toner?")
	p.Click(browser.TestID("chat-send"))
	p.Wait(`[data-testid="chat-message"][data-author="agent"]`)
	if got := p.Value(browser.TestID("chat-input")); got != "" {
		t.Errorf("the reply box holds %q once the reply is sent, want it empty", got)
	}
	v.message("agent", "Have you checked the toner?")
	v.send(chatFrame{Type: "message", Text: "谢谢, that was it."})
	if got := textWith(p, browser.TestID("chat-log"), "谢谢, that was it."); !strings.Contains(got, "谢谢, that was it.") {
		t.Errorf("the conversation shows %q, want the visitor's answer", got)
	}
	p.Axe("chat desk with a chat")

	p.Click(browser.TestID("chat-end"))
	p.Click(".ant-popconfirm-buttons .ant-btn-primary")
	p.Wait(`[data-testid="chat-state"][data-state="ended"]`)
	v.message("system", "The chat has ended.")
	v.next("ended")
	p.WaitGone(`[data-testid="chat-item"][data-id="` + sess.ID + `"]`)

	p.Click(browser.TestID("chat-case"))
	p.WaitTestID("page-case")
	p.Wait(`[data-testid="thread-entry"]`)
	thread := textWith(p, browser.TestID("case-thread"), "谢谢, that was it.")
	for _, want := range []string{"Li Wei", "My printer prints blank pages.", "Have you checked the toner?", "谢谢, that was it."} {
		if !strings.Contains(thread, want) {
			t.Errorf("the chat's case shows the thread %q, want %q in it", thread, want)
		}
	}
	if got := pagePath(t, p); got != "/cases/"+sess.CaseID {
		t.Errorf("the chat's case link leads to %s, want /cases/%s", got, sess.CaseID)
	}

	t.Run("desk on a phone", func(t *testing.T) {
		m := signIn(t, s, c.tn, c.tn.Admin, phone)
		m.Go(s.GatewayURL + "/chats")
		m.WaitTestID("page-chats")
		var overflow bool
		m.Eval(`document.documentElement.scrollWidth > innerWidth`, &overflow)
		if overflow {
			t.Error("the chat desk is wider than a 375 px phone")
		}
		m.Axe("chat desk on a phone")
	})

	t.Run("visitor in the portal's widget", func(t *testing.T) {
		w := browser.NewPage(t, phone[0], phone[1])
		w.Go(s.GatewayURL + "/portal/" + c.tn.Slug + "/chat")
		w.WaitTestID("portal-chat")
		w.Fill(browser.TestID("chat-name"), "王芳")
		w.Fill(browser.TestID("chat-email"), "wang.fang@customer.example")
		w.Click(browser.TestID("chat-start"))
		w.Wait(`[data-testid="chat-state"][data-state="waiting"]`)
		w.Fill(browser.TestID("chat-input"), "打印机卡纸了")
		w.Click(browser.TestID("chat-send"))
		w.Wait(`[data-testid="chat-message"][data-author="visitor"]`)
		w.Axe("portal chat waiting")

		var list struct {
			Items []struct {
				ID          string `json:"id"`
				VisitorName string `json:"visitorName"`
			} `json:"items"`
		}
		c.api(t, http.MethodGet, "/v1/chats", nil, http.StatusOK, &list)
		id := ""
		for _, it := range list.Items {
			if it.VisitorName == "王芳" {
				id = it.ID
			}
		}
		if id == "" {
			t.Fatalf("the chats %+v hold none of the widget's visitor", list.Items)
		}
		c.api(t, http.MethodPost, "/v1/chats/"+id+"/accept", nil, http.StatusOK, nil)
		a := openChat(t, s, "agent", "/v1/chats/"+id+"/ws", http.Header{"Authorization": {"Bearer " + c.tn.Admin.Token}}, chatSubprotocol)
		a.message("visitor", "打印机卡纸了")
		a.send(chatFrame{Type: "message", Text: "请打开前盖，取出纸张。"})
		w.Wait(`[data-testid="chat-state"][data-state="connected"]`)
		if got := textWith(w, browser.TestID("chat-log"), "请打开前盖，取出纸张。"); !strings.Contains(got, "请打开前盖，取出纸张。") {
			t.Errorf("the widget shows %q, want the agent's reply", got)
		}
		var overflow bool
		w.Eval(`document.documentElement.scrollWidth > innerWidth`, &overflow)
		if overflow {
			t.Error("the portal's chat is wider than a 375 px phone")
		}
		w.Axe("portal chat connected")

		c.api(t, http.MethodPost, "/v1/chats/"+id+"/end", nil, http.StatusOK, nil)
		w.Wait(`[data-testid="chat-state"][data-state="ended"]`)
		w.WaitTestID("chat-again")
	})
}
