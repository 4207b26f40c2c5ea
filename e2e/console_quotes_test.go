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

// quoteScene is a tenant where a line discount above 10 % needs the
// approval of the owner's team manager: a rep of a team and its manager, a
// product priced 100.00 EUR in a price book, and the rep's open
// opportunity closing today.
type quoteScene struct {
	scene
	rep, manager *stack.User
}

// newQuoteScene sets the scene up through the public API as the tenant's
// administrator.
func newQuoteScene(t *testing.T, s *stack.Stack) *quoteScene {
	c := &quoteScene{scene: scene{s: s, tn: s.CreateTenant(t, "console-quotes")}}
	team := c.create(t, http.MethodPost, "/v1/teams", map[string]any{"name": "Console quotes team"}, http.StatusCreated)
	member := func(email, role string, manager bool) *stack.User {
		u := s.Invite(t, c.tn, email, []string{role})
		c.api(t, http.MethodPatch, "/v1/users/"+u.ID, map[string]any{"teams": []map[string]any{{"id": team, "manager": manager}}}, http.StatusOK, nil)
		return u
	}
	c.rep = member("rep@console-quotes.test", "sales_rep", false)
	c.manager = member("lead@console-quotes.test", "manager", true)
	c.api(t, http.MethodPut, "/v1/quotes/settings", map[string]any{"discountPercent": "10"}, http.StatusOK, nil)
	product := c.create(t, http.MethodPost, "/v1/products", map[string]any{"sku": "QB-1", "name": "报价产品", "unit": "each"}, http.StatusCreated)
	book := c.create(t, http.MethodPost, "/v1/price-books", map[string]any{"name": "Console EUR", "currency": "EUR"}, http.StatusCreated)
	c.api(t, http.MethodPut, "/v1/price-books/"+book+"/entries/"+product, map[string]any{"unitPrice": map[string]any{"minor": 10000}}, http.StatusCreated, nil)
	c.api(t, http.MethodPost, "/v1/opportunities", map[string]any{"name": "Console deal", "ownerId": c.rep.ID, "teamId": team,
		"closeDate": time.Now().Format(time.DateOnly)}, http.StatusCreated, nil)
	return c
}

// TestConsoleQuotes walks quotes in Chromium against the real stack: the
// rep builds a quote of their opportunity from the price book's product
// with a 15 % discount (the preview's totals, then the server's), which
// says why it needs approval, and submits it; the team's manager, on a
// phone, finds it in the approvals inbox with the reason and approves it;
// the rep sees it approved, downloads its PDF and previews its HTML in a
// sandbox, then revises its lines into a second revision; the forecast
// shows the deal, and the manager overrides the rep's
// commit; the administrator creates a product and prices it in the book.
// Axe on the quotes list, the builder, the quote, the inbox, the
// forecasts, products and price books.
func TestConsoleQuotes(t *testing.T) {
	s := stack.Start(t, bins)
	c := newQuoteScene(t, s)

	rep := signIn(t, s, c.tn, c.rep, desktop)
	rep.Go(s.GatewayURL + "/quotes")
	rep.WaitTestID("page-quotes")
	rep.Axe("quotes list")
	rep.Click(browser.TestID("quote-new"))
	rep.WaitTestID("page-quote-new")
	rep.Click("#quote-opportunity")
	rep.ClickText(".ant-select-item-option", "Console deal")
	rep.WaitTestID("line-editor")
	rep.Click("#priceBookId")
	rep.ClickText(".ant-select-item-option", "Console EUR (EUR)")
	rep.Click(browser.TestID("line-add"))
	rep.Fill("#lineItems_0_productId", "qb")
	rep.ClickText(".ant-select-item-option", "QB-1 · 报价产品")
	rep.Fill("#lineItems_0_quantity", "2")
	rep.Fill("#lineItems_0_discountPercent", "15")
	if got := rep.Text(browser.TestID("lines-preview-total")); got != "€170.00" {
		t.Errorf("the builder's preview total is %q, want €170.00 (2 × 100.00 less 15 %%)", got)
	}
	rep.Axe("quote builder")
	rep.Click(browser.TestID("lines-save"))
	rep.WaitTestID("page-quote")
	if got := rep.Text(browser.TestID("quote-total")); got != "€170.00" {
		t.Errorf("the quote's total is %q, want the server's €170.00", got)
	}
	if got := rep.Text(browser.TestID("quote-needs-approval")); !strings.Contains(got, "15%") || !strings.Contains(got, "10%") {
		t.Errorf("the draft says %q about approval, want the 15%% discount over the 10%% threshold", got)
	}
	number := strings.TrimSpace(strings.SplitN(rep.Text("h1"), "·", 2)[0])
	if !strings.HasPrefix(number, "Q-") {
		t.Fatalf("the quote's title is %q, want its number first", rep.Text("h1"))
	}
	rep.Click(browser.TestID("quote-submit"))
	rep.Fill(`[data-testid="move-comment"]`, "Strategic customer")
	rep.Click(browser.TestID("move-confirm"))
	rep.Wait(`[data-testid="quote-state"][data-state="pendingApproval"]`)
	if got := rep.Text(browser.TestID("quote-approval")); !strings.Contains(got, "15%") {
		t.Errorf("the pending quote says %q, want the discount that needs approval", got)
	}
	rep.WaitGone(".ant-message-notice") // the tag's colour and the toast have settled
	rep.Axe("quote pending approval")

	t.Run("manager approves on a phone", func(t *testing.T) {
		m := signIn(t, s, c.tn, c.manager, phone)
		m.Go(s.GatewayURL + "/approvals")
		m.WaitTestID("page-approvals")
		m.Wait(`[data-testid="row"]`)
		if got := textWith(m, `[data-testid="row"]`, "rep@console-quotes.test"); !strings.Contains(got, number) || !strings.Contains(got, "15%") || !strings.Contains(got, "rep@console-quotes.test") {
			t.Errorf("the inbox shows %q, want %s by the rep with its 15%% discount", got, number)
		}
		var overflow bool
		m.Eval(`document.documentElement.scrollWidth > innerWidth`, &overflow)
		if overflow {
			t.Error("the approvals inbox is wider than a 375 px phone")
		}
		m.Axe("approvals inbox on a phone")
		m.Click(browser.TestID("inbox-approve"))
		m.Fill(`[data-testid="move-comment"]`, "OK for this customer")
		m.Click(browser.TestID("move-confirm"))
		m.WaitTestID("inbox-empty")
	})

	rep.Reload()
	rep.Wait(`[data-testid="quote-state"][data-state="approved"]`)
	if got := rep.Text(browser.TestID("quote-history")); !strings.Contains(got, "Approved · Revision 1 · Level 1") || !strings.Contains(got, "OK for this customer") {
		t.Errorf("the last step of the history is %q, want the manager's approval with its comment", got)
	}
	rep.Click(browser.TestID("quote-pdf"))
	rep.Wait(".ant-message-success")
	if got := rep.Text(".ant-message-success"); !strings.Contains(got, "PDF downloaded") {
		t.Errorf("after the PDF button the page says %q", got)
	}
	rep.Click(browser.TestID("quote-html"))
	rep.WaitTestID("quote-html-frame")
	var frame struct {
		Sandbox string `json:"sandbox"`
		Number  bool   `json:"number"`
	}
	rep.Eval(fmt.Sprintf(`(() => { const f = document.querySelector('[data-testid="quote-html-frame"]');
		return { sandbox: f.getAttribute("sandbox"), number: f.srcdoc.includes(%q) }; })()`, number), &frame)
	if frame.Sandbox != "" || !frame.Number {
		t.Errorf("the HTML preview is %+v, want sandbox=\"\" and the quote's number", frame)
	}

	rep.Click(".ant-modal-close")
	rep.WaitGone(browser.TestID("quote-html-frame"))

	// New lines make a second revision, a draft again, priced by the server.
	rep.Click(browser.TestID("quote-edit-lines"))
	rep.WaitTestID("line-editor")
	rep.Fill("#lineItems_0_discountPercent", "5")
	if got := rep.Text(browser.TestID("lines-preview-total")); got != "€190.00" {
		t.Errorf("the revision's preview total is %q, want €190.00", got)
	}
	rep.Click(browser.TestID("lines-save"))
	rep.Wait(`[data-testid="quote-state"][data-state="draft"]`)
	rep.WaitGone(browser.TestID("line-editor"))
	if got := rep.Text(browser.TestID("quote-total")); got != "€190.00" {
		t.Errorf("the second revision's total is %q, want €190.00", got)
	}
	if got := rep.Text(browser.TestID("quote-revision")); got != "Revision 2" {
		t.Errorf("the quote shows %q, want Revision 2", got)
	}
	if rep.Has(browser.TestID("quote-needs-approval")) {
		t.Error("a 5 % discount is said to need approval")
	}

	rep.Go(s.GatewayURL + "/forecasts")
	rep.WaitTestID("page-forecasts")
	rep.Wait(`[data-testid="forecast-chart"] canvas`)
	rep.Wait(`[data-testid="row"]`)
	if got := rep.Text(`[data-testid="row"]`); !strings.Contains(got, "€190.00") {
		t.Errorf("the forecast shows %q, want the deal's €190.00 (its revised lines) in its pipeline", got)
	}
	rep.Axe("forecasts")

	t.Run("manager overrides the forecast", func(t *testing.T) {
		m := signIn(t, s, c.tn, c.manager, desktop)
		m.Go(s.GatewayURL + "/forecasts")
		m.Wait(`[data-testid="row"]`)
		if got := textWith(m, `[data-testid="row"]`, "rep@console-quotes.test"); !strings.Contains(got, "rep@console-quotes.test") {
			t.Errorf("the manager's forecast row is %q, want the rep by name", got)
		}
		m.Click(browser.TestID("forecast-override-set"))
		m.Fill("#amount", "250.5")
		m.Fill("#note", "Expect the renewal")
		m.Click(browser.TestID("override-save"))
		m.WaitTestID("forecast-override")
		if got := m.Text(browser.TestID("forecast-override")); !strings.Contains(got, "Commit: €250.50") || !strings.Contains(got, "Expect the renewal") {
			t.Errorf("the override shows %q, want Commit: €250.50 with its note", got)
		}
	})

	t.Run("catalogue", func(t *testing.T) {
		a := signIn(t, s, c.tn, c.tn.Admin, desktop)
		a.Go(s.GatewayURL + "/products")
		a.WaitTestID("page-products")
		a.Wait(`[data-testid="row"]`)
		a.Axe("products")
		a.Click(browser.TestID("product-new"))
		a.Fill("#sku", "QB-2")
		a.Fill("#name", "咨询服务")
		a.Click(browser.TestID("product-save"))
		a.WaitGone(browser.TestID("product-save"))
		if got := textWith(a, browser.TestID("page-products"), "咨询服务"); !strings.Contains(got, "QB-2") || !strings.Contains(got, "咨询服务") {
			t.Errorf("after creating QB-2 the products page shows %q", got)
		}
		a.Go(s.GatewayURL + "/price-books")
		a.WaitTestID("page-price-books")
		a.Wait(`[data-testid="row"]`)
		a.Axe("price books")
		a.ClickText(`[data-testid="row"] td`, "Console EUR")
		a.WaitTestID("page-price-book")
		a.Wait(`[data-testid="row"]`)
		a.Axe("price book")
		a.Click(browser.TestID("price-new"))
		a.Fill("#productId", "QB-2")
		a.ClickText(".ant-select-item-option", "QB-2 · 咨询服务")
		a.Fill("#price", "12.5")
		a.Click(browser.TestID("price-save"))
		a.WaitGone(browser.TestID("price-save"))
		if got := textWith(a, browser.TestID("page-price-book"), "QB-2 · 咨询服务"); !strings.Contains(got, "QB-2 · 咨询服务") || !strings.Contains(got, "€12.50") {
			t.Errorf("after pricing QB-2 the price book shows %q, want it at €12.50", got)
		}
	})
}

// textWith is the text of the first element matching selector once it
// holds want (the page fills names in as the directory answers), or as it
// is after five seconds.
func textWith(p *browser.Page, selector, want string) string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := p.Text(selector)
		if strings.Contains(got, want) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
}
