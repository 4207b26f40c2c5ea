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

// adminPages are the administration pages: their paths under /admin and
// the data-testid of each one's root.
var adminPages = []struct{ path, id string }{
	{"custom-fields", "page-admin-custom-fields"},
	{"users", "page-admin-users"},
	{"teams", "page-admin-teams"},
	{"roles", "page-admin-roles"},
	{"api-keys", "page-admin-api-keys"},
	{"pipelines", "page-admin-pipelines"},
	{"assignment-rules", "page-admin-assignment-rules"},
	{"settings", "page-admin-settings"},
	{"sso", "page-admin-sso"},
	{"audit", "page-admin-audit"},
}

// TestConsoleAdmin walks the administration pages in Chromium against the
// real stack as the tenant's administrator: every page with axe, a user
// invited (the invitation link shown once), an API key whose secret shows
// once and is gone when the dialog closes (and works), the assignment rules
// dragged into a new order with the preview picking the right rule for a
// sample lead before and after, the invitation found in the audit log, and
// the users page on a phone.
func TestConsoleAdmin(t *testing.T) {
	s := stack.Start(t, bins)
	tn := s.CreateTenant(t, "console-admin")
	ann := s.Invite(t, tn, "ann@console-admin.test", []string{"sales_rep"})
	bo := s.Invite(t, tn, "bo@console-admin.test", []string{"sales_rep"})
	// Web leads go to Ann, every other lead to Bo.
	for _, r := range []map[string]any{
		{"name": "Web leads", "condition": map[string]any{"field": "source", "op": "eq", "value": "web"}, "target": map[string]any{"type": "user", "userId": ann.ID}},
		{"name": "Everyone else", "target": map[string]any{"type": "user", "userId": bo.ID}},
	} {
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/lead-assignment-rules", Token: tn.Admin.Token, Body: r}, http.StatusCreated, nil)
	}

	p := signIn(t, s, tn, tn.Admin, desktop)
	// Every page, with axe.
	{
		for _, pg := range adminPages {
			openAdmin(p, pg.path, pg.id)
			waitLoaded(t, p, pg.path)
			p.Axe("admin " + pg.path)
		}
	}

	// Invite a user: the link and token show once.
	{
		openAdmin(p, "users", "page-admin-users")
		p.Click(browser.TestID("user-invite"))
		p.Fill(browser.TestID("invite-email"), "cy@console-admin.test")
		p.Fill(browser.TestID("user-name"), "Cy <b>Chen</b>")
		p.Click(browser.TestID("user-save"))
		p.WaitTestID("invitation-link")
		if link := p.Text(browser.TestID("invitation-link")); !strings.Contains(link, "http") {
			t.Errorf("the invitation link shows %q", link)
		}
		if tok := p.Text(browser.TestID("invitation-token")); len(tok) < 16 {
			t.Errorf("the invitation token shows %q", tok)
		}
		waitTrue(t, p, `[...document.querySelectorAll(".ant-modal-wrap")].filter(e => e.getClientRects().length > 0).length === 1`, "the invite form to close")
		still(p)
		p.Axe("the invitation dialog")
		p.Click(browser.TestID("invitation-close"))
		p.WaitGone(browser.TestID("invitation-link"))
		waitTrue(t, p, `[...document.querySelectorAll('[data-testid="row"]')].some(r => r.innerText.includes("cy@console-admin.test") && r.innerText.includes("Cy <b>Chen</b>"))`,
			"the invited user, named as typed, in the list")
	}

	// An API key: its secret shows once, then is gone, and works.
	{
		openAdmin(p, "api-keys", "page-admin-api-keys")
		p.Click(browser.TestID("key-create"))
		p.Fill(browser.TestID("key-name"), "Nightly export")
		p.Click(browser.TestID("key-scopes"))
		p.ClickText(".ant-select-item-option", "contacts:read — read")
		p.Click(browser.TestID("key-name")) // closes the list of scopes
		p.WaitGone(".ant-select-dropdown:not(.ant-select-dropdown-hidden)")
		p.Click(browser.TestID("key-save"))
		p.WaitTestID("key-secret")
		secret := strings.TrimSpace(p.Text(browser.TestID("key-secret")))
		if !strings.HasPrefix(secret, "rpk_") {
			t.Fatalf("the new key's secret shows %q", secret)
		}
		waitTrue(t, p, `[...document.querySelectorAll(".ant-modal-wrap")].filter(e => e.getClientRects().length > 0).length === 1`, "the key's form to close")
		p.Axe("the API key's secret")
		p.Click(browser.TestID("key-secret-close"))
		p.WaitGone(browser.TestID("key-secret"))
		var shown bool
		p.Eval(fmt.Sprintf(`document.body.innerText.includes(%q)`, secret), &shown)
		if shown {
			t.Error("the secret is still on the page after its dialog closed")
		}
		waitTrue(t, p, `[...document.querySelectorAll('[data-testid="row"]')].some(r => r.innerText.includes("Nightly export"))`, "the new key in the list")
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/contacts", Token: secret}, http.StatusOK, nil)
	}

	// The assignment rules: the preview, a drag, the preview again.
	{
		openAdmin(p, "assignment-rules", "page-admin-assignment-rules")
		p.WaitTestID("rule-row")
		preview := func(want string) {
			t.Helper()
			p.Click(browser.TestID("preview-run"))
			waitTrue(t, p, fmt.Sprintf(`(document.querySelector('[data-testid="preview-rule"]')?.innerText ?? "") === %q`, want), "the preview to pick "+want)
		}
		p.Fill(browser.TestID("sample-source"), "web")
		p.Fill(browser.TestID("sample-lastName"), "Wu")
		preview("1. Web leads")
		if owner := p.Text(browser.TestID("preview-owner")); owner != ann.Email {
			t.Errorf("the preview's owner is %q, want %s", owner, ann.Email)
		}
		// Drag "Everyone else" above "Web leads", as a mouse would.
		for _, step := range []string{`dragstart`, `dragover`, `drop`, `dragend`} {
			p.Eval(fmt.Sprintf(dragStep, step), nil)
		}
		waitTrue(t, p, `document.querySelector('[data-testid="rule-row"]').dataset.rule === "Everyone else"`, "the dragged rule to go first")
		var order struct {
			Items []struct {
				Name     string `json:"name"`
				Position int    `json:"position"`
			} `json:"items"`
		}
		waitFor(t, "the new order to be stored", func() bool {
			stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/lead-assignment-rules", Token: tn.Admin.Token}, http.StatusOK, &order)
			return len(order.Items) == 2 && order.Items[0].Name == "Everyone else"
		})
		preview("1. Everyone else")
		if owner := p.Text(browser.TestID("preview-owner")); owner != bo.Email {
			t.Errorf("after the reorder the preview's owner is %q, want %s", owner, bo.Email)
		}
		var leads struct {
			Items []any `json:"items"`
		}
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/leads", Token: tn.Admin.Token}, http.StatusOK, &leads)
		if len(leads.Items) != 0 {
			t.Errorf("previews left %d leads", len(leads.Items))
		}
		p.Axe("the assignment rules with a preview")
	}

	// The invitation in the audit log.
	{
		openAdmin(p, "audit", "page-admin-audit")
		p.Fill("#audit-path", "/v1/users")
		p.Click(".ant-input-search-button")
		waitTrue(t, p, `[...document.querySelectorAll('[data-testid="audit-action"]')].some(e => e.innerText.trim() === "POST /v1/users")`, "the invitation in the audit log")
		p.Axe("the audit log filtered")
	}

	// The users page on a phone.
	{
		q := signIn(t, s, tn, tn.Admin, phone)
		q.Go(s.GatewayURL + "/admin/users")
		q.WaitTestID("page-admin-users")
		waitTrue(t, q, `[...document.querySelectorAll('[data-testid="row"]')].some(r => r.innerText.includes("ann@console-admin.test"))`, "the users as cards")
		var overflow bool
		q.Eval(`document.documentElement.scrollWidth > innerWidth`, &overflow)
		if overflow {
			t.Error("the users page is wider than a 375 px phone")
		}
		if q.Has("table") {
			t.Error("the users are a table on a phone, not cards")
		}
		q.Axe("admin users on a phone")
	}
}

// dragStep fires one drag event (%s) of a drag of the rule "Everyone else"
// onto "Web leads", sharing one DataTransfer across the steps.
const dragStep = `(() => {
	const rows = [...document.querySelectorAll('[data-testid="rule-row"]')];
	const from = rows.find(r => r.dataset.rule === "Everyone else");
	const to = rows.find(r => r.dataset.rule === "Web leads");
	window.__drag = window.__drag || new DataTransfer();
	const type = %q;
	const el = type === "dragstart" || type === "dragend" ? from : to;
	el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: window.__drag }));
	return true;
})()`

// waitTrue waits up to ten seconds for the JavaScript expression to be
// true on p, failing the test with what it waited for.
func waitTrue(t *testing.T, p *browser.Page, expr, what string) {
	t.Helper()
	var ok bool
	p.Eval(`new Promise(done => {
		const end = Date.now() + 10000;
		const look = () => {
			let v = false;
			try { v = !!(`+expr+`); } catch (e) { v = false; }
			if (v || Date.now() > end) return done(v);
			setTimeout(look, 100);
		};
		look();
	})`, &ok)
	if !ok {
		var text string
		p.Eval(`document.body.innerText.slice(0, 1500)`, &text)
		t.Fatalf("waited in vain for %s; the page shows:\n%s", what, text)
	}
}

// waitFor calls ok every 200 ms for up to ten seconds until it is true,
// failing the test with what it waited for.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); !ok(); {
		if time.Now().After(end) {
			t.Fatalf("waited in vain for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitLoaded waits up to ten seconds until no spinner or skeleton shows on
// p (the page's data has come), failing the test with the ones left and
// the API calls that were answered.
func waitLoaded(t *testing.T, p *browser.Page, name string) {
	t.Helper()
	var left []string
	p.Eval(`new Promise(done => {
		const end = Date.now() + 10000;
		const look = () => {
			const busy = [...document.querySelectorAll(".ant-spin-spinning, .ant-skeleton")].filter(e => e.getClientRects().length > 0);
			if (busy.length > 0 && Date.now() <= end) return setTimeout(look, 100);
			// What still spins (by its ancestors) and the API calls answered.
			const where = e => { const c = []; for (let x = e; x; x = x.parentElement) c.push(x.className || x.tagName); return c.join(" < ").slice(0, 600); };
			const answered = performance.getEntriesByType("resource").map(r => r.name + " " + r.responseStatus).filter(n => n.includes("/v1/"));
			done(busy.length === 0 ? [] : [...busy.map(where), ...answered]);
		};
		look();
	})`, &left)
	if len(left) > 0 {
		t.Fatalf("the %s page is still loading after ten seconds: %s", name, strings.Join(left, "\n"))
	}
}

// openAdmin opens the administration page at /admin/<path> from the side
// menu, as a person does (no new document: a page load per step would
// leave the browser's connections to the gateway held by the notification
// streams of the documents left), and waits for its root, id.
func openAdmin(p *browser.Page, path, id string) {
	p.Click(`.ant-menu-item[data-menu-id$="-/admin/` + path + `"]`)
	p.WaitTestID(id)
}
