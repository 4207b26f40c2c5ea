package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// xss is the canary stored in names, notes and custom fields: shown as
// text it is harmless; run as HTML its onerror opens a dialog, which fails
// the test (the harness fails on every dialog).
const xss = `<img src=x onerror=alert(1)>`

// contactsScene is a tenant with a manager (who may list users, so notes
// can mention them), a contact custom field, a tagged and an untagged
// contact, and a contact whose first name, note and custom field value are
// the XSS canary.
type contactsScene struct {
	scene
	manager *stack.User
	xssID   string
	editID  string
}

func newContactsScene(t *testing.T, s *stack.Stack) *contactsScene {
	c := &contactsScene{scene: scene{s: s, tn: s.CreateTenant(t, "console-contacts")}}
	c.manager = s.Invite(t, c.tn, "mia@console-contacts.test", []string{"manager"})
	c.api(t, http.MethodPost, "/v1/custom-fields", map[string]any{"entity": "contact", "key": "remark", "label": "Remark", "type": "text"}, http.StatusCreated, nil)
	c.api(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": "Vera", "lastName": "Tagged", "ownerId": c.manager.ID, "tags": []string{"vip"}}, http.StatusCreated, nil)
	c.api(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": "Otto", "lastName": "Plain", "ownerId": c.manager.ID}, http.StatusCreated, nil)
	c.xssID = c.create(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": xss, "ownerId": c.manager.ID, "customFields": map[string]any{"remark": xss}}, http.StatusCreated)
	c.editID = c.create(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": "Edda", "lastName": "Edit", "ownerId": c.manager.ID}, http.StatusCreated)
	for i := range pageFill {
		c.api(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": fmt.Sprintf("Page%02d", i), "lastName": "Filler", "ownerId": c.manager.ID}, http.StatusCreated, nil)
	}
	c.api(t, http.MethodPost, "/v1/activities", map[string]any{"type": "note", "contactId": c.xssID, "body": xss, "assigneeId": c.manager.ID}, http.StatusCreated, nil)
	return c
}

// pageFill is how many more contacts the scene makes so that the list has
// a second page (a page holds 50).
const pageFill = 50

// contactsWait waits until the JavaScript condition holds on p (10 s at
// most) and fails the test with what when it does not.
func contactsWait(t *testing.T, p *browser.Page, what, cond string) {
	t.Helper()
	var ok bool
	p.Eval(fmt.Sprintf(`new Promise(done => {
		const end = Date.now() + 10000;
		const look = () => { if (%s) return done(true); if (Date.now() > end) return done(false); setTimeout(look, 100); };
		look();
	})`, cond), &ok)
	if !ok {
		t.Fatalf("waited in vain for %s", what)
	}
}

// searchBox is the list's search input.
const searchBox = `input[data-testid="search"], [data-testid="search"] input`

// rowsText is the JavaScript text of every list row on the page.
const rowsText = `[...document.querySelectorAll('[data-testid="row"]')].map(r => r.textContent).join("\n")`

// TestConsoleContacts walks the contacts pages in Chromium against the
// real stack: a contact with a Chinese name created through the form,
// found by typing 张, opened and given a note mentioning a colleague; the
// XSS canary in a name, a note and a custom field shown as text; the
// filter builder narrowing the list by a tag; axe on the list and record
// pages; the same walk as cards on a 375 px phone.
func TestConsoleContacts(t *testing.T) {
	s := stack.Start(t, bins)
	c := newContactsScene(t, s)

	t.Run("desktop", func(t *testing.T) {
		p := signIn(t, s, c.tn, c.manager, desktop)
		p.Go(s.GatewayURL + "/contacts")
		p.WaitTestID("page-contacts")
		p.Wait(`[data-testid="row"]`)
		p.Axe("contacts list")

		p.Click(browser.TestID("create"))
		p.WaitTestID("record-form")
		p.Fill("#f-lastName", "张")
		p.Fill("#f-firstName", "伟")
		p.Fill("#f-email-0", "zhang.wei@console-contacts.test")
		p.WaitGone(".ant-form-item-explain-error") // the address was invalid while being typed
		p.Axe("contact form")
		p.Click(browser.TestID("form-submit"))
		p.WaitTestID("page-contact")
		contactsWait(t, p, "the new contact's page", `document.querySelector('[data-testid="record-name"]')?.textContent === "张伟"`)

		p.Go(s.GatewayURL + "/contacts")
		p.WaitTestID("page-contacts")
		p.Fill(searchBox, "张")
		contactsWait(t, p, "张 to find 张伟 alone", `[...document.querySelectorAll('[data-testid="row"]')].length === 1 && `+rowsText+`.includes("张伟")`)
		p.Click(`[data-testid="row"] a`)
		p.WaitTestID("page-contact")
		p.WaitTestID("timeline")
		p.Axe("contact page")

		p.Fill("#qa-note-body", "Called about pricing, @Admin")
		p.Click(".ant-mentions-dropdown .ant-mentions-dropdown-menu-item")
		p.Click(browser.TestID("quick-note-submit"))
		contactsWait(t, p, "the note in the timeline", `[...document.querySelectorAll('[data-testid="note-body"]')].some(n => n.textContent.startsWith("Called about pricing, @Admin console-contacts"))`)
		id := strings.TrimPrefix(pagePath(t, p), "/contacts/")
		var timeline struct {
			Items []struct {
				Activity struct {
					Body string `json:"body"`
				} `json:"activity"`
			} `json:"items"`
		}
		c.api(t, http.MethodGet, "/v1/contacts/"+id+"/timeline?type=note", nil, http.StatusOK, &timeline)
		want := fmt.Sprintf("Called about pricing, @[Admin console-contacts](user:%s)", c.tn.Admin.ID)
		if len(timeline.Items) != 1 || !strings.HasPrefix(timeline.Items[0].Activity.Body, want) {
			t.Errorf("the note's body is %+v, want it to start %q", timeline.Items, want)
		}
	})

	t.Run("xss", func(t *testing.T) {
		p := signIn(t, s, c.tn, c.manager, desktop)
		p.Go(s.GatewayURL + "/contacts/" + c.xssID)
		p.WaitTestID("page-contact")
		p.WaitTestID("note-body")
		p.WaitTestID("custom-fields")
		for sel, what := range map[string]string{browser.TestID("record-name"): "the name", browser.TestID("note-body"): "the note", browser.TestID("custom-fields"): "the custom field"} {
			if got := p.Text(sel); !strings.Contains(got, xss) {
				t.Errorf("%s shows %q, want the canary as text", what, got)
			}
		}
		var images int
		p.Eval(`document.querySelectorAll('img[src="x"]').length`, &images)
		if images != 0 {
			t.Errorf("the canary became %d <img> elements", images)
		}
		p.Go(s.GatewayURL + "/contacts")
		contactsWait(t, p, "the canary in the list", rowsText+`.includes("<img src=x")`)
	})

	t.Run("edit and conflict", func(t *testing.T) {
		p := signIn(t, s, c.tn, c.manager, desktop)
		p.Go(s.GatewayURL + "/contacts/" + c.editID)
		p.WaitTestID("page-contact")
		p.Click(browser.TestID("edit"))
		p.Fill("#f-jobTitle", "CTO")
		p.Click(browser.TestID("form-submit"))
		contactsWait(t, p, "the page to show the new job title", `document.querySelector('[data-testid="page-contact"]').textContent.includes("CTO")`)

		p.Click(browser.TestID("edit"))
		p.Fill("#f-jobTitle", "CFO")
		stack.Must(t, stack.Request{Method: http.MethodPatch, URL: s.GatewayURL + "/v1/contacts/" + c.editID, Token: c.tn.Admin.Token,
			Header: map[string]string{"If-Match": `"2"`}, Body: map[string]any{"jobTitle": "CEO"}}, http.StatusOK, nil)
		p.Click(browser.TestID("form-submit"))
		p.Wait(".ant-modal-confirm")
		p.Click(".ant-modal-confirm .ant-modal-confirm-btns .ant-btn-primary") // overwrite theirs
		contactsWait(t, p, "the page to show the overwritten job title", `document.querySelector('[data-testid="page-contact"]').textContent.includes("CFO")`)
		var got struct {
			JobTitle string `json:"jobTitle"`
			Version  int    `json:"version"`
		}
		c.api(t, http.MethodGet, "/v1/contacts/"+c.editID, nil, http.StatusOK, &got)
		if got.JobTitle != "CFO" || got.Version != 4 {
			t.Errorf("after the overwrite the contact is %+v, want CFO at version 4", got)
		}
	})

	t.Run("duplicates and merge", func(t *testing.T) {
		var winner, loser struct {
			ID string `json:"id"`
		}
		email := []map[string]any{{"address": "dup@console-contacts.test"}}
		c.api(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": "Alice", "lastName": "Dup", "emails": email, "ownerId": c.manager.ID}, http.StatusCreated, &winner)
		c.api(t, http.MethodPost, "/v1/contacts?allowDuplicate=true", map[string]any{"firstName": "Betty", "lastName": "Dup", "emails": email, "ownerId": c.manager.ID}, http.StatusCreated, &loser)
		p := signIn(t, s, c.tn, c.manager, desktop)
		p.Go(s.GatewayURL + "/contacts/" + winner.ID)
		p.WaitTestID("page-contact")
		p.Click(browser.TestID("merge-open"))
		p.Wait(`tr[data-row-key="firstName"]`)
		p.Axe("merge dialog")
		p.Click(`tr[data-row-key="firstName"] td:nth-child(3) .ant-radio-wrapper`)
		p.Click(browser.TestID("merge-ok"))
		contactsWait(t, p, "the merged name on the page", `document.querySelector('[data-testid="record-name"]')?.textContent === "Betty Dup"`)
		var got struct {
			FirstName string `json:"firstName"`
		}
		c.api(t, http.MethodGet, "/v1/contacts/"+winner.ID, nil, http.StatusOK, &got)
		if got.FirstName != "Betty" {
			t.Errorf("after the merge the winner's first name is %q, want the other's Betty", got.FirstName)
		}
		c.api(t, http.MethodGet, "/v1/contacts/"+loser.ID, nil, http.StatusMovedPermanently, nil)
	})

	t.Run("accounts", func(t *testing.T) {
		var acct struct {
			ID string `json:"id"`
		}
		c.api(t, http.MethodPost, "/v1/accounts", map[string]any{"name": "深圳云帆科技", "domain": "yunfan-console.test", "ownerId": c.manager.ID}, http.StatusCreated, &acct)
		c.api(t, http.MethodPost, "/v1/contacts", map[string]any{"firstName": "Ann", "lastName": "Account", "accountId": acct.ID, "ownerId": c.manager.ID}, http.StatusCreated, nil)
		var pl struct {
			ID     string `json:"id"`
			Stages []struct {
				ID string `json:"id"`
			} `json:"stages"`
		}
		c.api(t, http.MethodPost, "/v1/pipelines", map[string]any{"name": "Direct", "stages": []map[string]any{
			{"name": "Qualify", "kind": "open", "probability": 10}, {"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"},
		}}, http.StatusCreated, &pl)
		c.api(t, http.MethodPost, "/v1/opportunities", map[string]any{"name": "云帆 renewal", "pipelineId": pl.ID, "stageId": pl.Stages[0].ID,
			"accountId": acct.ID, "ownerId": c.manager.ID}, http.StatusCreated, nil)
		p := signIn(t, s, c.tn, c.manager, desktop)
		p.Go(s.GatewayURL + "/accounts")
		p.WaitTestID("page-accounts")
		contactsWait(t, p, "the account listed", rowsText+`.includes("深圳云帆科技")`)
		p.Axe("accounts list")
		p.Click(`[data-testid="row"] a`)
		p.WaitTestID("page-account")
		contactsWait(t, p, "the account's contacts", `document.querySelector('[data-testid="account-contacts"]')?.textContent.includes("Ann Account")`)
		contactsWait(t, p, "the account's opportunities", `document.querySelector('[data-testid="account-opportunities"]')?.textContent.includes("云帆 renewal")`)
		p.Axe("account page")

		p.Go(s.GatewayURL + "/accounts")
		p.WaitTestID("page-accounts")
		p.Click(browser.TestID("create"))
		p.WaitTestID("record-form")
		p.Fill("#f-name", "华为测试")
		p.Fill("#f-domain", "not a domain")
		p.Wait(".ant-form-item-explain-error")
		p.Fill("#f-domain", "huawei-console.test")
		p.Click(browser.TestID("form-submit"))
		p.WaitTestID("page-account")
		contactsWait(t, p, "the new account's page", `document.querySelector('[data-testid="record-name"]')?.textContent === "华为测试"`)
	})

	t.Run("filter by tag", func(t *testing.T) {
		p := signIn(t, s, c.tn, c.manager, desktop)
		p.Go(s.GatewayURL + "/contacts")
		p.WaitTestID("page-contacts")
		contactsWait(t, p, "every contact listed", rowsText+`.includes("Otto Plain") && `+rowsText+`.includes("Vera Tagged")`)
		p.Click(browser.TestID("filter-toggle"))
		p.Click(browser.TestID("filter-add"))
		p.Click(browser.TestID("filter-field-0"))
		p.Fill(`[data-testid="filter-field-0"] input`, "Tags")
		p.Click(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="Tags"]`)
		p.Click(browser.TestID("filter-value-0"))
		p.Click(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="vip"]`)
		p.Click("h1") // closes the value's dropdown
		contactsWait(t, p, "the list narrowed to the vip contact", `[...document.querySelectorAll('[data-testid="row"]')].length === 1 && `+rowsText+`.includes("Vera Tagged")`)
		p.Axe("contacts list filtered")

		p.Click(browser.TestID("view-save"))
		p.Fill(`[data-testid="view-name"]`, "VIPs")
		p.Click(browser.TestID("view-save-ok"))
		p.WaitGone(`.ant-modal-wrap:not([style*="display: none"]) [data-testid="view-name"]`)
		p.Reload()
		p.WaitTestID("page-contacts")
		contactsWait(t, p, "every contact listed again", rowsText+`.includes("Otto Plain")`)
		p.Click(browser.TestID("view-pick"))
		p.Click(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="VIPs"]`)
		contactsWait(t, p, "the saved view to narrow the list again", `[...document.querySelectorAll('[data-testid="row"]')].length === 1 && `+rowsText+`.includes("Vera Tagged")`)

		// The export is fetched with the in-memory token and saved from a
		// blob: catch the blob to read what the download holds.
		p.Eval(`(() => { const make = URL.createObjectURL; window.csv = ""; URL.createObjectURL = b => { b.text().then(t => window.csv = t); return make(b); }; })()`, nil)
		p.Click(browser.TestID("export"))
		contactsWait(t, p, "the view's CSV", `window.csv.includes("displayName")`)
		var csv string
		p.Eval(`window.csv`, &csv)
		if !strings.Contains(csv, "Vera") || strings.Contains(csv, "Otto") {
			t.Errorf("the view's export holds %q, want the vip contact alone", csv)
		}
	})

	t.Run("pages and bulk actions", func(t *testing.T) {
		p := signIn(t, s, c.tn, c.tn.Admin, desktop) // who may give records to anyone
		p.Go(s.GatewayURL + "/contacts")
		p.WaitTestID("page-contacts")
		contactsWait(t, p, "a full first page", `document.querySelectorAll('[data-testid="row"]').length === 50`)
		var first string
		p.Eval(rowsText, &first)
		p.Click(browser.TestID("next-page"))
		contactsWait(t, p, "the second page", `(n => n > 0 && n < 50)(document.querySelectorAll('[data-testid="row"]').length)`)
		var second string
		p.Eval(rowsText, &second)
		if second == first {
			t.Error("the next page shows the first page's rows")
		}

		p.Fill(searchBox, "Page0")
		contactsWait(t, p, "Page0 to find the fillers", `(rows => rows.length >= 3 && rows[0].textContent.includes("Page0") && rows.every(r => r.textContent.includes("Filler")))([...document.querySelectorAll('[data-testid="row"]')])`)
		p.Click(`[data-testid="row"]:nth-child(2) [data-testid="row-select"]`)
		p.Click(`[data-testid="row"]:nth-child(3) [data-testid="row-select"]`)
		p.Click(browser.TestID("bulk-tags"))
		p.Click(browser.TestID("bulk-add-tags"))
		p.Click(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="vip"]`)
		p.Click(browser.TestID("bulk-tags-ok"))
		p.WaitGone(browser.TestID("bulk-bar"))
		var tagged struct {
			Items []struct{} `json:"items"`
		}
		c.api(t, http.MethodGet, "/v1/contacts?limit=200&filter="+url.QueryEscape(`{"field":"tags","op":"contains","value":"vip"}`), nil, http.StatusOK, &tagged)
		if len(tagged.Items) != 3 {
			t.Errorf("after tagging two contacts vip, %d are, want 3", len(tagged.Items))
		}

		p.Click(`[data-testid="row"]:nth-child(4) [data-testid="row-select"]`)
		p.Click(`[data-testid="row"]:nth-child(5) [data-testid="row-select"]`)
		p.Click(browser.TestID("bulk-owner"))
		p.Click("#bulk-owner")
		p.Click(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="Admin console-contacts"]`)
		p.Click(browser.TestID("bulk-owner-ok"))
		p.WaitTestID("bulk-owner-result")
		if got := p.Text(browser.TestID("bulk-owner-result")); got != "2 changed, 0 failed" {
			t.Errorf("the owner change reports %q, want 2 changed, 0 failed", got)
		}
		var owned struct {
			Items []struct{} `json:"items"`
		}
		c.api(t, http.MethodGet, "/v1/contacts?limit=200&filter="+url.QueryEscape(fmt.Sprintf(`{"field":"ownerId","op":"eq","value":%q}`, c.tn.Admin.ID)), nil, http.StatusOK, &owned)
		if len(owned.Items) != 2 {
			t.Errorf("after moving two contacts to the administrator, they own %d, want 2", len(owned.Items))
		}
	})

	t.Run("phone", func(t *testing.T) {
		p := signIn(t, s, c.tn, c.manager, phone)
		p.Go(s.GatewayURL + "/contacts")
		p.WaitTestID("page-contacts")
		p.Wait(`.ant-card [data-testid="row"], [data-testid="row"] .ant-card`)
		if p.Has("table") {
			t.Error("on a phone the contacts list is a table, want cards")
		}
		p.Fill(searchBox, "张")
		contactsWait(t, p, "张 to find 张伟 on a phone", `[...document.querySelectorAll('[data-testid="row"]')].length === 1 && `+rowsText+`.includes("张伟")`)
		contactsFits(t, p, "the contacts list")
		p.Axe("contacts list on a phone")
		p.Click(`[data-testid="row"] .ant-card`)
		p.WaitTestID("page-contact")
		p.WaitTestID("timeline")
		contactsFits(t, p, "a contact's page")
		p.Axe("contact page on a phone")
	})
}

// contactsFits fails when the page is wider than its viewport.
func contactsFits(t *testing.T, p *browser.Page, what string) {
	t.Helper()
	var overflow bool
	p.Eval(`document.documentElement.scrollWidth > innerWidth`, &overflow)
	if overflow {
		t.Errorf("%s is wider than a 375 px phone", what)
	}
}
