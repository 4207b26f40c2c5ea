package e2e

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// portalLink finds the link to follow a case in the mail the portal sent.
var portalLink = regexp.MustCompile(`https?://\S+/cases/\S+\?token=\S+`)

// TestConsolePortal walks a tenant's public self-service portal in an
// anonymous Chromium against the real stack: the visitor searches the
// public articles and reads one (its Markdown shown as formatted text),
// says it helped, submits a request with a file (the honeypot field in
// the form but off screen), follows the link the portal mailed (the relay
// of the stack receives it) to see the request's thread, downloads the
// file and replies with another; a forged link shows nothing of the case;
// the chat page holds the chat widget.
// The other tenant's portal does not show the first tenant's article, by
// search or by id; a portal of no tenant says there is none. The article
// on a 375 px phone fits the screen; the frame speaks 简体中文. Axe on the
// home, the article, the request form and the request.
func TestConsolePortal(t *testing.T) {
	s := stack.Start(t, bins)
	own := &scene{s: s, tn: s.CreateTenant(t, "portal-own")}
	other := &scene{s: s, tn: s.CreateTenant(t, "portal-other")}
	title := "Reset your router " + letters(8)
	article := own.create(t, http.MethodPost, "/v1/kb/articles", map[string]any{"locale": "en", "title": title, "visibility": "public",
		"body": "Hold the **reset button** for ten seconds.\n\n- Unplug the router\n- Wait a minute\n\nSee [the manual](https://example.com/manual)."}, http.StatusCreated)
	own.api(t, http.MethodPost, "/v1/kb/articles/"+article+"/publish", nil, http.StatusOK, nil)
	portal := func(sc *scene) string { return s.GatewayURL + "/portal/" + sc.tn.Slug }

	p := browser.NewPage(t, desktop[0], desktop[1])
	p.Go(portal(own))
	p.WaitTestID("portal-home")
	p.Fill(`[data-testid="portal-search"] input`, "router")
	p.Click(`[data-testid="portal-search"] .ant-input-search-button`)
	if got := textWith(p, browser.TestID("portal-article-hit"), title); !strings.Contains(got, title) {
		t.Errorf("the search for router shows %q, want the article %q", got, title)
	}
	p.Axe("portal home")
	p.Click(browser.TestID("portal-article-hit") + " a")
	p.WaitTestID("portal-article")
	if got := p.Text(browser.TestID("portal-article-title")); got != title {
		t.Errorf("the article's title shows as %q, want %q", got, title)
	}
	if got := p.Text(browser.TestID("portal-article-body") + " strong"); got != "reset button" {
		t.Errorf("the article's bold text shows as %q, want the Markdown's reset button", got)
	}
	if got := p.Text(browser.TestID("portal-article-body") + " li"); got != "Unplug the router" {
		t.Errorf("the article's first list item shows as %q", got)
	}
	p.Axe("portal article")
	p.Click(browser.TestID("portal-helpful"))
	p.WaitTestID("portal-feedback-thanks")
	if got := p.Text(browser.TestID("portal-feedback-counts")); !strings.Contains(got, "1 found this helpful, 0 did not") {
		t.Errorf("the feedback's counts show as %q", got)
	}
	var kb struct {
		HelpfulCount int `json:"helpfulCount"`
	}
	own.api(t, http.MethodGet, "/v1/kb/articles/"+article, nil, http.StatusOK, &kb)
	if kb.HelpfulCount != 1 {
		t.Errorf("the article's helpful count is %d after the portal's feedback, want 1", kb.HelpfulCount)
	}

	dir := t.TempDir()
	file := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	email := "ann." + letters(8) + "@customer.example"
	subject := "Router blinks " + letters(8)
	p.Click(browser.TestID("portal-nav-new-case"))
	p.WaitTestID("portal-new-case")
	var trap struct {
		Present bool
		Left    float64
	}
	p.Eval(`(() => { const el = document.querySelector("#portalCase_website"); return { Present: !!el, Left: el ? el.getBoundingClientRect().right : 0 }; })()`, &trap)
	if !trap.Present || trap.Left > 0 {
		t.Errorf("the honeypot field is present %v with its right edge at %v px, want in the form and off screen", trap.Present, trap.Left)
	}
	p.Fill("#portalCase_name", "Ann")
	p.Fill("#portalCase_email", email)
	p.Fill("#portalCase_subject", subject)
	p.Fill("#portalCase_description", "The light blinks red since this morning.")
	chooseFile(t, p, `[data-testid="portal-case-files"] input[type="file"]`, file("router-log.txt", "boot failed at 07:12"))
	p.Wait(`[data-testid="portal-case-files"] .ant-upload-list-item`)
	p.Axe("portal request form")
	p.Click(browser.TestID("portal-case-submit"))
	p.WaitTestID("portal-case-submitted")

	mail := s.MailTo(t, email, "/cases/", 30*time.Second)
	link := portalLink.FindString(mail.Text)
	if !strings.HasPrefix(link, portal(own)+"/cases/") {
		t.Fatalf("the mailed link is %q (mail %q), want one on the tenant's portal", link, mail.Text)
	}
	p.Go(link)
	p.WaitTestID("portal-case")
	if got := p.Text(browser.TestID("portal-case-title")); !strings.Contains(got, subject) {
		t.Errorf("the request's title shows as %q, want its subject %q", got, subject)
	}
	if got := p.Text(browser.TestID("portal-entry")); !strings.Contains(got, "The light blinks red") || !strings.Contains(got, "router-log.txt") {
		t.Errorf("the request's first entry shows as %q, want the description and its file", got)
	}
	p.Eval(`(() => { window.saved = []; const make = URL.createObjectURL; URL.createObjectURL = b => (window.saved.push(b), make.call(URL, b)); return true; })()`, nil)
	p.Click(browser.TestID("portal-entry-attachment"))
	var saved string
	p.Eval(`new Promise(done => { const look = () => window.saved.length ? window.saved[0].text().then(done) : setTimeout(look, 50); look(); })`, &saved)
	if saved != "boot failed at 07:12" {
		t.Errorf("the downloaded file holds %q", saved)
	}
	p.Axe("portal request")
	p.Fill("#portalReply_body", "It still blinks after the reset.")
	chooseFile(t, p, `[data-testid="portal-reply-files"] input[type="file"]`, file("photo-note.txt", "red light, two blinks"))
	p.Wait(`[data-testid="portal-reply-files"] .ant-upload-list-item`)
	p.Click(browser.TestID("portal-reply-send"))
	if got := textWith(p, browser.TestID("portal-case"), "It still blinks after the reset."); !strings.Contains(got, "It still blinks after the reset.") || !strings.Contains(got, "photo-note.txt") {
		t.Errorf("after the reply the request shows %q, want the reply with its file", got)
	}
	var cases struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	own.api(t, http.MethodGet, "/v1/cases?q="+url.QueryEscape(subject), nil, http.StatusOK, &cases)
	if len(cases.Items) != 1 {
		t.Fatalf("the tenant has %d cases on %q, want the portal's one", len(cases.Items), subject)
	}
	var entries struct {
		Items []struct {
			BodyText    string `json:"bodyText"`
			Attachments []struct {
				Name string `json:"name"`
			} `json:"attachments"`
		} `json:"items"`
	}
	own.api(t, http.MethodGet, "/v1/cases/"+cases.Items[0].ID+"/entries", nil, http.StatusOK, &entries)
	if n := len(entries.Items); n != 2 || entries.Items[1].BodyText != "It still blinks after the reset." || len(entries.Items[1].Attachments) != 1 ||
		entries.Items[1].Attachments[0].Name != "photo-note.txt" {
		t.Errorf("the case's thread is %+v, want the description and the reply with photo-note.txt", entries.Items)
	}
	forged, _ := url.Parse(link)
	q := forged.Query()
	q.Set("token", q.Get("token")+"x")
	forged.RawQuery = q.Encode()
	p.Go(forged.String())
	p.WaitTestID("portal-case-badlink")
	if p.Has(browser.TestID("portal-entry")) {
		t.Error("a forged link shows the request's thread")
	}

	p.Click(browser.TestID("portal-nav-chat"))
	p.WaitTestID("portal-chat-page")
	if got := p.Text(browser.TestID("portal-chat-page")); !strings.Contains(got, "Chat with us") {
		t.Errorf("the chat page shows %q, want the chat widget", got)
	}

	p.Go(portal(other) + "/articles/" + article)
	p.WaitTestID("portal-article-missing")
	p.Go(portal(other) + "?q=" + url.QueryEscape(title))
	p.WaitTestID("portal-home")
	p.Wait(browser.TestID("portal-home") + " .ant-empty")
	if p.Has(browser.TestID("portal-article-hit")) {
		t.Errorf("the other tenant's portal finds the article: %q", p.Text(browser.TestID("portal-article-hit")))
	}
	p.Go(s.GatewayURL + "/portal/no-such-tenant-" + letters(8))
	p.WaitTestID("portal-none")

	phoneP := browser.NewPage(t, phone[0], phone[1])
	phoneP.Go(portal(own) + "/articles/" + article)
	phoneP.WaitTestID("portal-article")
	var fits bool
	phoneP.Eval(`document.documentElement.scrollWidth <= window.innerWidth`, &fits)
	if !fits {
		t.Error("the article on a 375 px phone is wider than the screen")
	}
	phoneP.Click(browser.TestID("portal-lang"))
	if got := textWith(phoneP, browser.TestID("portal-title"), "帮助中心"); got != "帮助中心" {
		t.Errorf("after the language switch the portal's title is %q, want 帮助中心", got)
	}
}
