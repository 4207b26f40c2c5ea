package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// supportScene is a tenant with a published knowledge base article about
// resetting a password, which a case about a password is suggested, and an
// account for a service contract.
type supportScene struct {
	scene
	articleID string
}

// newSupportScene sets the scene up through the public API.
func newSupportScene(t *testing.T, s *stack.Stack) *supportScene {
	c := &supportScene{scene: scene{s: s, tn: s.CreateTenant(t, "console-support")}}
	c.articleID = c.create(t, http.MethodPost, "/v1/kb/articles", map[string]any{"locale": "en", "title": "How to reset your password",
		"body": "Open the sign-in page and choose Forgot password; the reset link arrives by email.", "visibility": "public"}, http.StatusCreated)
	c.api(t, http.MethodPost, "/v1/kb/articles/"+c.articleID+"/publish", nil, http.StatusOK, nil)
	c.create(t, http.MethodPost, "/v1/accounts", map[string]any{"name": "云帆科技"}, http.StatusCreated)
	return c
}

// TestConsoleSupport walks the support pages in Chromium against the real
// stack: the administrator sets up business hours (a lunch break, a
// holiday and a 调休 workday) and an SLA policy, opens a case from the
// queue view (the knowledge base's article on the subject is suggested as
// it is typed), replies to the customer with a file attached (the new case
// opens), adds an internal note (styled apart from the reply), sets the
// case pending the customer and sees its clocks (first response met,
// resolution paused), and finds it in the queue view and by its number;
// the knowledge base lists and finds the article, and a new article is
// written and published; a service contract is made for the account; the
// case page on a 375 px phone, and in 简体中文. Axe on the calendars, the
// policies, the queue, the case, the knowledge base, the article editor,
// the contracts, the work orders and the survey results.
func TestConsoleSupport(t *testing.T) {
	s := stack.Start(t, bins)
	c := newSupportScene(t, s)

	p := signIn(t, s, c.tn, c.tn.Admin, desktop)
	p.Go(s.GatewayURL + "/admin/business-calendars")
	p.WaitTestID("page-business-calendars")
	p.Click(browser.TestID("calendar-new"))
	p.Fill("#name", "Shanghai office")
	p.Fill("#timeZone", "Asia/Shanghai")
	p.Fill("#holidays", "2026-10-01 国庆节")
	p.Fill("#workdays", "2026-10-11 09:00-18:00 调休")
	p.Click(browser.TestID("calendar-save"))
	p.Wait(`[data-testid="row"]`)
	if got := textWith(p, `[data-testid="row"]`, "Shanghai office"); !strings.Contains(got, "Asia/Shanghai") || !strings.Contains(got, "Monday 09:00-12:00, 13:00-18:00") {
		t.Errorf("the calendars list shows %q, want the calendar in Asia/Shanghai with a lunch break", got)
	}
	p.WaitGone(".ant-message-notice")
	p.Axe("business calendars")
	p.Go(s.GatewayURL + "/admin/sla-policies")
	p.WaitTestID("page-sla-policies")
	p.Click(browser.TestID("policy-new"))
	p.Fill("#name", "Standard")
	p.Click(browser.TestID("policy-save"))
	p.Wait(`[data-testid="row"]`)
	if got := textWith(p, `[data-testid="row"]`, "Standard"); !strings.Contains(got, "Shanghai office") || !strings.Contains(got, "Normal 4h") {
		t.Errorf("the policies list shows %q, want the policy on the calendar with its 4h first response", got)
	}
	p.WaitGone(".ant-message-notice")
	p.Axe("SLA policies")

	p.Go(s.GatewayURL + "/cases")
	p.WaitTestID("page-cases")
	p.Axe("cases queue")

	p.Click(browser.TestID("case-new"))
	p.Fill("#case_subject", "Cannot reset my password")
	p.Fill("#case_description", "The reset email never arrives.")
	p.Fill("#case_accountId", "云帆")
	p.ClickText(".ant-select-item-option", "云帆科技")
	p.WaitTestID("kb-suggestion")
	if got := p.Text(browser.TestID("kb-suggestions")); !strings.Contains(got, "How to reset your password") {
		t.Errorf("the new case dialog suggests %q, want the article on resetting a password", got)
	}
	p.Click(browser.TestID("case-create"))
	p.WaitTestID("page-case")
	p.WaitTestID("case-title")
	if got := p.Text(browser.TestID("case-title")); got != "#1 · Cannot reset my password" {
		t.Errorf("the case's title is %q, want its number and subject", got)
	}
	caseURL := p.URL()
	if got := textWith(p, browser.TestID("case-account"), "云帆科技"); got != "云帆科技" {
		t.Errorf("the case's account shows as %q, want a link named 云帆科技", got)
	}
	p.Wait(`[data-testid="case-entitlement"][data-state="none"]`) // the account has no contract yet
	p.Wait(`[data-testid="case-status"][data-status="new"]`)
	p.WaitTestID("case-sla")
	p.WaitTestID("kb-suggestion")
	p.WaitGone(".ant-message-notice")
	p.Axe("case page")

	steps := filepath.Join(t.TempDir(), "steps.txt")
	if err := os.WriteFile(steps, []byte("1. Open the sign-in page\n2. Choose Forgot password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	chooseFile(t, p, `[data-testid="reply-editor"] input[type="file"]`, steps)
	p.Wait(".ant-upload-list-item-done")
	p.Fill("#reply-body", "We are looking into it.")
	p.Click(browser.TestID("reply-send"))
	p.Wait(`[data-testid="thread-entry"][data-kind="reply"]`)
	p.Wait(`[data-testid="case-status"][data-status="open"]`)
	if got := p.Text(`[data-testid="thread-entry"][data-kind="reply"]`); !strings.Contains(got, "We are looking into it.") || !strings.Contains(got, "Public reply") {
		t.Errorf("the reply shows as %q", got)
	}
	if got := p.Text(`[data-testid="thread-entry"][data-kind="reply"] [data-testid="entry-attachment"]`); !strings.Contains(got, "steps.txt") {
		t.Errorf("the reply's attachment shows as %q, want steps.txt", got)
	}

	p.ClickText(".ant-segmented-item", "Internal note")
	p.Fill("#reply-body", "Customer called twice <b>today</b>")
	p.Click(browser.TestID("reply-send"))
	p.Wait(`[data-testid="thread-entry"][data-kind="note"]`)
	if got := p.Text(`[data-testid="thread-entry"][data-kind="note"]`); !strings.Contains(got, "Customer called twice <b>today</b>") || !strings.Contains(got, "Internal note") {
		t.Errorf("the note shows as %q, want its text as written, marked internal", got)
	}
	var styles struct{ Reply, Note string }
	p.Eval(`(() => { const bg = (k) => getComputedStyle(document.querySelector('[data-testid="thread-entry"][data-kind="' + k + '"]')).backgroundColor;
		return { Reply: bg("reply"), Note: bg("note") }; })()`, &styles)
	if styles.Reply == styles.Note {
		t.Errorf("a reply and a note share the background %s, want them apart", styles.Note)
	}

	p.Click(browser.TestID("case-move"))
	p.ClickText(".ant-select-item-option", "Pending customer")
	p.Wait(`[data-testid="case-status"][data-status="pending_customer"]`)
	p.WaitGone(".ant-message-notice")
	p.Axe("case page with its thread")

	// The clocks follow the case's events: the first response was met by
	// the reply, and pending the customer pauses the resolution.
	for try := 0; !p.Has(`[data-testid="sla-target"][data-target="resolution"][data-status="paused"]`); try++ {
		if try == 30 {
			t.Fatalf("the case pending the customer shows its clocks as %q, want the resolution paused", p.Text(browser.TestID("case-sla")))
		}
		time.Sleep(time.Second)
		p.Reload()
		p.WaitTestID("case-sla")
	}
	if got := p.Text(`[data-testid="sla-target"][data-target="first_response"]`); !strings.Contains(got, "Met") {
		t.Errorf("the first response clock after the reply shows %q, want it met", got)
	}

	p.Go(s.GatewayURL + "/cases")
	p.WaitTestID("page-cases")
	p.Wait(`[data-testid="row"]`)
	if got := textWith(p, `[data-testid="row"]`, "Cannot reset my password"); !strings.Contains(got, "#1") || !strings.Contains(got, "Pending customer") {
		t.Errorf("the queue view shows %q, want case #1 pending the customer", got)
	}
	p.Fill(`[data-testid="cases-search"]`, "#1")
	p.Click(".ant-input-search-button")
	p.Wait(`[data-testid="row"]`)
	if got := textWith(p, `[data-testid="row"]`, "Cannot reset my password"); !strings.Contains(got, "Cannot reset my password") {
		t.Errorf("searching #1 shows %q", got)
	}

	p.Go(s.GatewayURL + "/kb")
	p.WaitTestID("page-kb")
	p.Wait(`[data-testid="row"]`)
	p.Axe("knowledge base")
	p.Fill(`[data-testid="kb-search"]`, "passwords")
	p.Click(".ant-input-search-button")
	p.WaitTestID("kb-hit")
	if got := p.Text(browser.TestID("kb-hit")); !strings.Contains(got, "How to reset your password") {
		t.Errorf("searching passwords finds %q, want the article (stemmed)", got)
	}

	p.Go(s.GatewayURL + "/kb/new")
	p.WaitTestID("page-article")
	p.Click("#article_locale")
	p.ClickText(".ant-select-item-option", "简体中文")
	p.Fill("#article_title", "如何重置密码")
	p.Fill("#article_body", "在登录页面点击“忘记密码”。")
	p.Click(browser.TestID("article-save"))
	p.Wait(`[data-testid="article-state"][data-state="draft"]`)
	p.Click(browser.TestID("article-publish"))
	p.Wait(`[data-testid="article-state"][data-state="published"]`)
	p.WaitGone(".ant-message-notice")
	p.Axe("article editor")
	p.Go(s.GatewayURL + "/kb")
	p.Fill(`[data-testid="kb-search"]`, "重置")
	p.Click(".ant-input-search-button")
	p.WaitTestID("kb-hit")
	if got := textWith(p, browser.TestID("kb-hit"), "如何重置密码"); !strings.Contains(got, "如何重置密码") {
		t.Errorf("searching 重置 finds %q, want the Chinese article", got)
	}

	p.Go(s.GatewayURL + "/service-contracts")
	p.WaitTestID("page-contracts")
	p.Click(browser.TestID("contract-new"))
	p.Fill("#accountId", "云帆")
	p.ClickText(".ant-select-item-option", "云帆科技")
	p.Fill("#name", "Gold support")
	p.Click(browser.TestID("contract-save"))
	p.Wait(`[data-testid="row"]`)
	if got := textWith(p, `[data-testid="row"]`, "Gold support"); !strings.Contains(got, "10 of 10 cases left") || !strings.Contains(got, "Active") {
		t.Errorf("the contracts list shows %q, want the active contract with its 10 cases", got)
	}
	p.WaitGone(".ant-message-notice")
	p.Axe("service contracts")
	p.Go(s.GatewayURL + "/work-orders")
	p.WaitTestID("page-work-orders")
	p.Axe("work orders")
	p.Go(s.GatewayURL + "/surveys")
	p.WaitTestID("page-surveys")
	p.WaitTestID("survey-totals")
	p.Axe("survey results")

	t.Run("case on a phone", func(t *testing.T) {
		m := signIn(t, s, c.tn, c.tn.Admin, phone)
		m.Go(caseURL)
		m.WaitTestID("page-case")
		m.Wait(`[data-testid="thread-entry"][data-kind="note"]`)
		var overflow bool
		m.Eval(`document.documentElement.scrollWidth > innerWidth`, &overflow)
		if overflow {
			t.Error("the case page is wider than a 375 px phone")
		}
		m.Axe("case page on a phone")
	})

	p.Go(caseURL)
	p.WaitTestID("page-case")
	p.Click(browser.TestID("lang-switch"))
	waitChinese(t, p)
	p.Wait(`[data-testid="thread-entry"][data-kind="note"]`)
	if got := p.Text(browser.TestID("case-status")); got != "等待客户" {
		t.Errorf("in 简体中文 the case's status shows %q, want 等待客户", got)
	}
	if got := p.Text(`[data-testid="thread-entry"][data-kind="note"]`); !strings.Contains(got, "内部备注") {
		t.Errorf("in 简体中文 the note shows as %q, want it marked 内部备注", got)
	}
	p.Axe("case page in 简体中文")
}
