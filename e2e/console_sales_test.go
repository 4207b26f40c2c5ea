package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// salesScene is a tenant with what the sales pages show: a lead whose email
// a contact already has, and a pipeline whose Proposal stage needs an
// amount and a next step, with one opportunity in front of it and one in it.
type salesScene struct {
	scene
	contactID string
	leadID    string
	pipeline  string
	dealID    string
}

// newSalesScene sets the scene up through the public API.
func newSalesScene(t *testing.T, s *stack.Stack) *salesScene {
	c := &salesScene{scene: scene{s: s, tn: s.CreateTenant(t, "console-sales")}}
	c.contactID = c.create(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": "伟", "lastName": "张",
		"emails": []map[string]any{{"address": "zhang.wei@sales-console.test", "primary": true}}}, http.StatusCreated)
	c.leadID = c.create(t, http.MethodPost, "/v1/leads", map[string]any{"firstName": "伟", "lastName": "张", "company": "深圳云帆科技",
		"email": "Zhang.Wei@sales-console.test", "source": "web"}, http.StatusCreated)

	var pl struct {
		ID     string `json:"id"`
		Stages []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"stages"`
	}
	c.api(t, http.MethodPost, "/v1/pipelines", map[string]any{"name": "Enterprise", "stages": []map[string]any{
		{"name": "Qualify", "kind": "open", "probability": 10},
		{"name": "Proposal", "kind": "open", "probability": 50, "requiredFields": []string{"amount", "nextStep"}},
		{"name": "Won", "kind": "won"},
		{"name": "Lost", "kind": "lost"},
	}}, http.StatusCreated, &pl)
	c.pipeline = pl.ID
	product := c.create(t, http.MethodPost, "/v1/products", map[string]any{"sku": "SEAT", "name": "Seat licence", "unit": "each"}, http.StatusCreated)
	book := c.create(t, http.MethodPost, "/v1/price-books", map[string]any{"name": "Standard CNY", "currency": "CNY", "isStandard": true}, http.StatusCreated)
	c.api(t, http.MethodPut, "/v1/price-books/"+book+"/entries/"+product, map[string]any{"unitPrice": map[string]any{"minor": 100000}}, http.StatusCreated, nil)
	c.dealID = c.create(t, http.MethodPost, "/v1/opportunities", map[string]any{"name": "Deal without amount", "pipelineId": pl.ID, "stageId": pl.Stages[0].ID},
		http.StatusCreated)
	c.api(t, http.MethodPost, "/v1/opportunities", map[string]any{"name": "Deal in proposal", "pipelineId": pl.ID, "stageId": pl.Stages[1].ID,
		"amount": map[string]any{"minor": 50000, "currency": "CNY"}, "nextStep": "Call back"}, http.StatusCreated, nil)
	return c
}

// TestConsoleSales walks the sales pages in Chromium against the real
// stack: the leads list and a lead, converting it (the dialog shows the
// contact it links and the account and opportunity it creates, then leads
// to them), dragging an opportunity into a stage that needs fields (the
// form asks for exactly those, a refusal shows on its field, and the card
// lands with the column's total updated), the opportunity page, axe on
// each, and the board on a phone.
func TestConsoleSales(t *testing.T) {
	s := stack.Start(t, bins)
	c := newSalesScene(t, s)

	t.Run("convert", func(t *testing.T) {
		p := signIn(t, s, c.tn, c.tn.Admin, desktop)
		p.Go(s.GatewayURL + "/leads")
		p.WaitTestID("page-leads")
		p.Wait(`[data-testid="row"]`)
		if got := p.Text(`[data-testid="row"]`); !strings.Contains(got, "张伟") || !strings.Contains(got, "深圳云帆科技") {
			t.Errorf("the leads list shows %q, want the lead 张伟 of 深圳云帆科技", got)
		}
		p.Axe("leads")
		p.Click(`[data-testid="row"]`)
		p.WaitTestID("page-lead")
		p.WaitTestID("lead-score")
		if got := p.Text(browser.TestID("lead-title")); got != "张伟" {
			t.Errorf("the lead page's title is %q, want 张伟", got)
		}
		p.Axe("lead")

		p.Click(browser.TestID("lead-edit"))
		p.Fill("#lead_source", "trade show")
		still(p)
		p.Axe("lead edit")
		p.Click(browser.TestID("lead-save"))
		p.WaitGone(browser.TestID("lead-edit-form"))
		if got := p.Text(browser.TestID("lead-fields")); !strings.Contains(got, "trade show") {
			t.Errorf("after the edit the lead shows %q, want its source trade show", got)
		}

		p.Click(browser.TestID("lead-convert"))
		p.WaitTestID("convert-contact-link")
		if got := p.Text(browser.TestID("convert-contact-link")); !strings.Contains(got, "张伟") {
			t.Errorf("the dialog says %q about the contact, want a link to the existing 张伟", got)
		}
		if got := p.Text(browser.TestID("convert-account-create")); !strings.Contains(got, "深圳云帆科技") {
			t.Errorf("the dialog says %q about the account, want a new 深圳云帆科技", got)
		}
		if !p.Has(".ant-radio-wrapper-checked " + browser.TestID("convert-contact-link")) {
			t.Error("the dialog does not choose to link the contact with the lead's email")
		}
		if !p.Has(".ant-radio-wrapper-checked " + browser.TestID("convert-account-create")) {
			t.Error("the dialog does not choose to create the account, which nothing matches")
		}
		p.Click(browser.TestID("convert-with-opportunity"))
		p.Wait("#convert_opportunity_name")
		p.Fill("#convert_opportunity_amount", "8800")
		still(p)
		p.Axe("convert dialog")
		p.Click(browser.TestID("convert-submit"))
		p.WaitTestID("convert-result")

		var lead struct {
			Status                 string `json:"status"`
			ConvertedContactID     string `json:"convertedContactId"`
			ConvertedAccountID     string `json:"convertedAccountId"`
			ConvertedOpportunityID string `json:"convertedOpportunityId"`
		}
		c.api(t, http.MethodGet, "/v1/leads/"+c.leadID, nil, http.StatusOK, &lead)
		if lead.Status != "converted" || lead.ConvertedContactID != c.contactID || lead.ConvertedAccountID == "" || lead.ConvertedOpportunityID == "" {
			t.Fatalf("after the dialog the lead is %+v, want converted into the contact %s, a new account and an opportunity", lead, c.contactID)
		}
		var href string
		p.Eval(`document.querySelector('[data-testid="convert-go-contact"]').getAttribute("href")`, &href)
		if href != "/contacts/"+c.contactID {
			t.Errorf("the dialog links the contact at %q, want /contacts/%s", href, c.contactID)
		}
		p.Click(browser.TestID("convert-go-opportunity"))
		p.WaitTestID("page-opportunity")
		if got := pagePath(t, p); got != "/opportunities/"+lead.ConvertedOpportunityID {
			t.Errorf("the opportunity link went to %s", got)
		}
		if got := p.Text(browser.TestID("opportunity-name")); got != "深圳云帆科技" {
			t.Errorf("the new opportunity is named %q, want the lead's company", got)
		}
		if got := p.Text(browser.TestID("opportunity-amount")); !strings.Contains(got, "8,800.00") {
			t.Errorf("the new opportunity's amount shows %q, want 8,800.00", got)
		}
		p.Eval(`document.querySelector('[data-testid="opportunity-contact"]').getAttribute("href")`, &href)
		if href != "/contacts/"+c.contactID {
			t.Errorf("the opportunity links its contact at %q, want /contacts/%s", href, c.contactID)
		}
		p.WaitTestID("line-items")
		p.Wait(`[data-testid="stage-history"] .ant-table-row`)
		p.Axe("opportunity")

		// Three seats at 1,000.00 less 10% replace the amount with 2,700.00.
		p.Click(browser.TestID("line-add"))
		p.Click(`[data-testid="line-items"] .ant-table-row .ant-select-selector`)
		p.ClickText(".ant-select-item-option", "SEAT · Seat licence")
		p.Fill(`[data-testid="line-quantity"]`, "3")
		p.Fill(`[data-testid="line-discount"]`, "10")
		if got := p.Text(browser.TestID("line-items-total")); !strings.Contains(got, "2,700.00") {
			t.Errorf("the line items' total shows %q before saving, want 2,700.00", got)
		}
		p.Click(browser.TestID("line-items-save"))
		p.Wait(`[data-testid="opportunity-amount"]:not(:empty)`)
		waitText(t, p, browser.TestID("opportunity-amount"), "2,700.00")
	})

	t.Run("board", func(t *testing.T) {
		p := signIn(t, s, c.tn, c.tn.Admin, desktop)
		p.Go(s.GatewayURL + "/board") // the default pipeline's
		p.Wait(`[data-testid="board-column"][data-stage="Needs confirmed"]`)
		p.Go(s.GatewayURL + "/pipelines/" + c.pipeline + "/board")
		p.WaitTestID("page-board")
		p.Wait(`[data-testid="board-card"]`)
		proposal := `[data-testid="board-column"][data-stage="Proposal"]`
		if got := p.Text(proposal + ` [data-testid="board-total"]`); !strings.Contains(got, "500.00") {
			t.Errorf("Proposal's total is %q before the move, want 500.00", got)
		}
		p.Axe("board")

		drag(p, "Deal without amount", "Proposal")
		p.WaitTestID("stage-fields-form")
		for sel, want := range map[string]bool{"#stage_amount": true, "#stage_nextStep": true, "#stage_closeDate": false, "#stage_accountId": false} {
			if got := p.Has(sel); got != want {
				t.Errorf("the stage's form has %s: %v, want %v", sel, got, want)
			}
		}
		if got := p.Text(`[data-testid="board-column"][data-stage="Qualify"]`); !strings.Contains(got, "Deal without amount") {
			t.Errorf("a refused move left the card out of its column: Qualify shows %q", got)
		}
		still(p)
		p.Axe("the stage's fields")
		// A next step of spaces passes the form but not the service: its
		// 422 shows on the field.
		p.Fill("#stage_amount", "1200")
		p.Fill("#stage_nextStep", "   ")
		p.Click(browser.TestID("stage-fields-submit"))
		p.Wait(`.ant-form-item-has-error #stage_nextStep`)
		if got := p.Text(`.ant-form-item-explain-error`); !strings.Contains(got, "Proposal") {
			t.Errorf("the refusal shows %q on the next step, want the service's reason", got)
		}
		p.Fill("#stage_nextStep", "Send the proposal")
		p.Click(browser.TestID("stage-fields-submit"))
		p.WaitGone(browser.TestID("stage-fields-form"))
		p.Wait(proposal + ` [data-testid="board-card"][data-id="` + c.dealID + `"]`)
		if got := p.Text(proposal + ` [data-testid="board-total"]`); !strings.Contains(got, "1,700.00") {
			t.Errorf("Proposal's total is %q after the move, want 1,700.00", got)
		}
		if got := p.Text(proposal + ` [data-testid="board-count"]`); got != "2" {
			t.Errorf("Proposal counts %q after the move, want 2", got)
		}
		var deal struct {
			NextStep string `json:"nextStep"`
			Amount   struct {
				Minor int64 `json:"minor"`
			} `json:"amount"`
		}
		c.api(t, http.MethodGet, "/v1/opportunities/"+c.dealID, nil, http.StatusOK, &deal)
		if deal.NextStep != "Send the proposal" || deal.Amount.Minor != 120000 {
			t.Errorf("the moved opportunity is %+v, want the form's amount and next step", deal)
		}
		p.Click(proposal + ` [data-id="` + c.dealID + `"] a`)
		p.WaitTestID("page-opportunity")
		if got := p.Text(browser.TestID("opportunity-stage")); got != "Proposal" {
			t.Errorf("the moved opportunity's page shows the stage %q, want Proposal", got)
		}
	})

	t.Run("phone", func(t *testing.T) {
		p := signIn(t, s, c.tn, c.tn.Admin, phone)
		p.Go(s.GatewayURL + "/pipelines/" + c.pipeline + "/board")
		p.Wait(`[data-testid="board-card"]`)
		var shape struct {
			Overflow bool   `json:"overflow"`
			Column   int    `json:"column"`
			Snap     string `json:"snap"`
		}
		p.Eval(`({
			overflow: document.documentElement.scrollWidth > innerWidth,
			column: Math.round(document.querySelector('[data-testid="board-column"]').getBoundingClientRect().width),
			snap: getComputedStyle(document.querySelector('[data-testid="board"]')).scrollSnapType,
		})`, &shape)
		if shape.Overflow {
			t.Error("the board page is wider than a 375 px phone")
		}
		if shape.Column < 280 || shape.Column > 375 {
			t.Errorf("a column is %d px wide on a phone, want one column per screen", shape.Column)
		}
		if !strings.HasPrefix(shape.Snap, "x") {
			t.Errorf("the board's scroll-snap-type is %q, want x", shape.Snap)
		}
		p.Axe("board on a phone")

		p.Go(s.GatewayURL + "/leads")
		p.Wait(`[data-testid="row"] .ant-card`)
		p.Eval(`document.documentElement.scrollWidth > innerWidth`, &shape.Overflow)
		if shape.Overflow {
			t.Error("the leads list is wider than a 375 px phone")
		}
		p.Axe("leads on a phone")
	})
}

// drag drags the board's card named name onto the column of stage with
// the HTML5 drag-and-drop events a mouse drag fires.
func drag(p *browser.Page, name, stage string) {
	p.Eval(fmt.Sprintf(`(() => {
		const card = [...document.querySelectorAll('[data-testid="board-card"]')].find((c) => c.textContent.includes(%q));
		const column = document.querySelector('[data-testid="board-column"][data-stage=%q]');
		const dataTransfer = new DataTransfer();
		const fire = (el, type) => el.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer }));
		fire(card, "dragstart");
		fire(column, "dragenter");
		fire(column, "dragover");
		fire(column, "drop");
		fire(card, "dragend");
		return true;
	})()`, name, stage), nil)
}

// still waits until no dialog or drawer is still opening (Ant Design's
// motion classes), so axe sees its final colours.
func still(p *browser.Page) {
	p.WaitGone(`[class*="-appear"], [class*="-enter"]`)
}

// waitText waits up to 10 s for the element matching selector to show want.
func waitText(t *testing.T, p *browser.Page, selector, want string) {
	t.Helper()
	var got string
	p.Eval(fmt.Sprintf(`new Promise((done) => {
		const end = Date.now() + 10000;
		const look = () => {
			const text = document.querySelector(%q)?.textContent ?? "";
			if (text.includes(%q) || Date.now() > end) return done(text);
			setTimeout(look, 50);
		};
		look();
	})`, selector, want), &got)
	if !strings.Contains(got, want) {
		t.Errorf("%s shows %q, want %q", selector, got, want)
	}
}
