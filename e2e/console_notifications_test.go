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

// TestConsoleNotifications checks the bell against the real stack: a
// manager signed in on a desktop sees no unread notification; a rep of
// their team submits, through the API, a quote whose 15 % discount needs
// the manager's approval, and the manager's bell counts it without a
// reload (the sales event through Kafka to the gateway's consumer, NOTIFY,
// the SSE stream); its text names the quote, and a click marks it read and
// opens the quote. The settings page switches the email of mentions off,
// which the API then answers; axe on it and on the open bell, at 375 px
// too, where nothing overflows the page's width.
func TestConsoleNotifications(t *testing.T) {
	s := stack.Start(t, bins)
	tn := s.CreateTenant(t, "console-notify")
	api := func(token, method, path string, body any, want int, header map[string]string) string {
		t.Helper()
		var rec struct {
			ID     string `json:"id"`
			Number string `json:"number"`
		}
		stack.Must(t, stack.Request{Method: method, URL: s.GatewayURL + path, Token: token, Body: body, Header: header}, want, &rec)
		return rec.ID + " " + rec.Number
	}
	id := func(s string) string { return strings.Fields(s)[0] }
	admin := tn.Admin.Token
	team := id(api(admin, http.MethodPost, "/v1/teams", map[string]any{"name": "Notify team"}, http.StatusCreated, nil))
	member := func(email, role string, manager bool) *stack.User {
		u := s.Invite(t, tn, email, []string{role})
		api(admin, http.MethodPatch, "/v1/users/"+u.ID, map[string]any{"teams": []map[string]any{{"id": team, "manager": manager}}}, http.StatusOK, nil)
		u.Token = s.Login(t, tn.Slug, email, u.Password)
		return u
	}
	rep := member("rep@console-notify.test", "sales_rep", false)
	manager := member("boss@console-notify.test", "manager", true)
	api(admin, http.MethodPut, "/v1/quotes/settings", map[string]any{"discountPercent": "10"}, http.StatusOK, nil)
	product := id(api(admin, http.MethodPost, "/v1/products", map[string]any{"sku": "NT-1", "name": "通知产品", "unit": "each"}, http.StatusCreated, nil))
	book := id(api(admin, http.MethodPost, "/v1/price-books", map[string]any{"name": "Notify EUR", "currency": "EUR"}, http.StatusCreated, nil))
	api(admin, http.MethodPut, "/v1/price-books/"+book+"/entries/"+product, map[string]any{"unitPrice": map[string]any{"minor": 10000}}, http.StatusCreated, nil)
	opp := id(api(rep.Token, http.MethodPost, "/v1/opportunities", map[string]any{"name": "Notify deal", "teamId": team}, http.StatusCreated, nil))
	api(rep.Token, http.MethodPut, "/v1/opportunities/"+opp+"/line-items", map[string]any{"priceBookId": book,
		"lineItems": []map[string]any{{"productId": product, "quantity": "1", "discountPercent": "15"}}}, http.StatusOK, map[string]string{"If-Match": `"1"`})
	quote := strings.Fields(api(rep.Token, http.MethodPost, "/v1/quotes", map[string]any{"opportunityId": opp}, http.StatusCreated, nil))

	p := signIn(t, s, tn, manager, desktop)
	p.WaitTestID("notification-bell")
	count := func() string {
		var n string
		p.Eval(`document.querySelector('[data-testid="notification-bell"]').dataset.count`, &n)
		return n
	}
	if n := count(); n != "0" {
		t.Fatalf("the bell counts %s before anything happened", n)
	}
	api(rep.Token, http.MethodPost, "/v1/quotes/"+quote[0]+"/submit", map[string]any{"comment": "please"}, http.StatusOK, nil)
	deadline := time.Now().Add(30 * time.Second)
	for count() != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("the bell counts %s 30 s after the quote was submitted, want 1", count())
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.Click(browser.TestID("notification-bell"))
	p.WaitTestID("notification-item")
	if text := p.Text(browser.TestID("notification-item")); !strings.Contains(text, quote[1]) || !strings.Contains(text, "asks you to approve") {
		t.Errorf("the notification says %q, want the quote %s to approve", text, quote[1])
	}
	p.Click(browser.TestID("notification-item"))
	deadline = time.Now().Add(10 * time.Second)
	for pagePath(t, p) != "/quotes/"+quote[0] || count() != "0" {
		if time.Now().After(deadline) {
			t.Fatalf("after the click: at %s with %s unread, want /quotes/%s and none", pagePath(t, p), count(), quote[0])
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.WaitTestID("page-quote")
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(p.Text(browser.TestID("page-quote")), quote[1]) {
		if time.Now().After(deadline) {
			t.Fatalf("the quote's page does not show %s: %q", quote[1], p.Text(browser.TestID("page-quote")))
		}
		time.Sleep(200 * time.Millisecond)
	}

	for _, size := range [][2]int{desktop, phone} {
		q := signIn(t, s, tn, manager, size)
		q.Go(s.GatewayURL + "/settings/notifications")
		q.WaitTestID("page-notification-settings")
		q.WaitTestID("pref-note.mention-email")
		q.Axe(fmt.Sprintf("notification settings %dx%d", size[0], size[1]))
		q.Click(browser.TestID("notification-bell"))
		q.WaitTestID("notification-item")
		q.Axe(fmt.Sprintf("notifications panel %dx%d", size[0], size[1]))
		var overflow bool
		q.Eval(`document.documentElement.scrollWidth > innerWidth`, &overflow)
		if overflow {
			t.Errorf("at %dx%d the open notifications overflow the page's width", size[0], size[1])
		}
	}
	// The side menu's entry, which needs no permission, opens the settings.
	p.ClickText(`nav [role="menuitem"]`, "Notifications")
	p.WaitTestID("page-notification-settings")
	if path := pagePath(t, p); path != "/settings/notifications" {
		t.Errorf("the menu's Notifications opened %s", path)
	}
	p.WaitTestID("pref-note.mention-email")
	p.Click(browser.TestID("pref-note.mention-email"))
	var prefs struct {
		Items []struct {
			Kind         string
			InApp, Email bool
		}
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/notification-preferences", Token: manager.Token}, http.StatusOK, &prefs)
		off := false
		for _, it := range prefs.Items {
			off = off || it.Kind == "note.mention" && !it.Email && it.InApp
		}
		if off {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the switch did not turn the email of mentions off: %+v", prefs.Items)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
