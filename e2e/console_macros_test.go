package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// TestConsoleMacros walks macros in Chromium against the real stack: an
// agent writes a personal macro with merge fields and an action (the
// page lists the merge fields), picks it in a case's reply editor, where
// it is rendered for the case, and sends it: the customer-visible reply
// carries the case's own number and subject, and the case has the
// macro's priority. Axe on the macros page and the case with the picker's
// actions shown.
func TestConsoleMacros(t *testing.T) {
	s := stack.Start(t, bins)
	c := &scene{s: s, tn: s.CreateTenant(t, "console-macros")}
	// Case #1 first, so the macro is rendered for a case of another number.
	c.create(t, http.MethodPost, "/v1/cases", map[string]any{"subject": "Warm-up"}, http.StatusCreated)
	var kase struct {
		ID     string `json:"id"`
		Number int64  `json:"number"`
	}
	c.api(t, http.MethodPost, "/v1/cases", map[string]any{"subject": "发票抬头错误"}, http.StatusCreated, &kase)

	p := signIn(t, s, c.tn, c.tn.Admin, desktop)
	p.Go(s.GatewayURL + "/admin/macros")
	p.WaitTestID("page-macros")
	if got := p.Text(browser.TestID("page-macros")); !strings.Contains(got, "{{case.number}}") || !strings.Contains(got, "{{contact.name}}") {
		t.Errorf("the macros page shows %q, want the merge fields listed", got)
	}
	p.Click(browser.TestID("macro-new"))
	p.Fill("#name", "Invoice fix")
	p.Fill("#body", "Case #{{case.number}} ({{case.subject}}): we will reissue the invoice.")
	p.Click("#priority")
	p.ClickText(".ant-select-item-option", "High")
	p.Click(browser.TestID("macro-save"))
	p.Wait(`[data-testid="row"]`)
	if got := textWith(p, `[data-testid="row"]`, "Invoice fix"); !strings.Contains(got, "Personal") {
		t.Errorf("the macros list shows %q, want the agent's personal macro", got)
	}
	p.WaitGone(".ant-message-notice")
	p.Axe("macros")

	p.Go(s.GatewayURL + "/cases/" + kase.ID)
	p.WaitTestID("reply-editor")
	p.Click(browser.TestID("reply-macro"))
	p.ClickText(".ant-select-item-option", "Invoice fix")
	want := fmt.Sprintf("Case #%d (发票抬头错误): we will reissue the invoice.", kase.Number)
	for try := 0; p.Value("#reply-body") != want; try++ {
		if try == 50 {
			t.Fatalf("the reply editor holds %q, want the macro rendered for the case: %q", p.Value("#reply-body"), want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.WaitTestID("reply-macro-actions")
	if got := p.Text(browser.TestID("reply-macro-actions")); !strings.Contains(got, "priority High") {
		t.Errorf("the macro's actions show as %q, want its priority", got)
	}
	p.WaitGone(".ant-message-notice")
	p.Axe("case with a macro picked")
	p.Click(browser.TestID("reply-send"))
	p.Wait(`[data-testid="thread-entry"][data-kind="reply"]`)
	if got := p.Text(`[data-testid="thread-entry"][data-kind="reply"]`); !strings.Contains(got, want) {
		t.Errorf("the reply shows as %q, want %q", got, want)
	}

	// What the customer gets: the public reply, with the rendered number;
	// and the macro's action made on the case.
	var thread struct {
		Items []struct {
			Kind, BodyText string
			Public         bool
		}
	}
	c.api(t, http.MethodGet, "/v1/cases/"+kase.ID+"/entries", nil, http.StatusOK, &thread)
	var public []string
	for _, e := range thread.Items {
		if e.Kind == "reply" && e.Public {
			public = append(public, e.BodyText)
		}
	}
	if len(public) != 1 || public[0] != want {
		t.Errorf("the case's public replies are %q, want the rendered macro %q", public, want)
	}
	var after struct{ Priority string }
	c.api(t, http.MethodGet, "/v1/cases/"+kase.ID, nil, http.StatusOK, &after)
	if after.Priority != "high" {
		t.Errorf("the case's priority after the macro's reply is %q, want high", after.Priority)
	}
}
