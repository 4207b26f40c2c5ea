package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// The tracked links of a mail: a click link in its text, the open pixel
// in its HTML.
var (
	clickLink = regexp.MustCompile(`https?://[^\s<>"]+/t/c/[^\s<>"]+`)
	openPixel = regexp.MustCompile(`src="(https?://[^"]+/t/o/[^"]+)"`)
)

// testMarketingMail sends tenant A's fixture contact a campaign mail the
// way the stack is wired: the marketing service mails it through the
// stack's relay, its links point at the gateway's /m/<tenant id>/
// (MARKETING_PUBLIC_URL) and work there without credentials (signed with
// MARKETING_LINK_KEY): the click redirects to the offer with its UTM
// tags, the pixel is a GIF, the unsubscribe page shows, and the one-click
// unsubscribe of the List-Unsubscribe header (RFC 8058) makes contacts
// deny the contact's email consent. It runs last: the contact's consent
// is withdrawn after it.
func testMarketingMail(t *testing.T, w *world) {
	st, s := w.st, w.a
	f, token := s.fixture, s.tenant.Admin.Token
	m := f.Markers[0]
	post := func(path string, body any, status int) string {
		var rec struct{ ID string }
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: st.GatewayURL + path, Token: token, Body: body}, status, &rec)
		return rec.ID
	}
	list := post("/v1/segments", map[string]any{"name": "Mail" + m, "kind": "static"}, http.StatusCreated)
	post("/v1/segments/"+list+"/members", map[string]any{"contactIds": []string{f.ContactID}}, http.StatusOK)
	tpl := post("/v1/templates", map[string]any{"name": "Mail" + m, "channel": "email", "subject": "Offer " + m,
		"html": `<html><body><p>Hi {{contact.firstName}}</p><p><a href="https://shop.example/offer">Offer</a></p>` +
			`<p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p></body></html>`,
		"text": "Hi {{contact.firstName}}, the offer: https://shop.example/offer\nUnsubscribe: {{unsubscribeUrl}}\n"}, http.StatusCreated)
	post("/v1/sends", map[string]any{"templateId": tpl, "channel": "email", "segmentId": list, "utm": map[string]string{"campaign": "offer"}},
		http.StatusCreated)

	mail := st.MailTo(t, f.Email, "Hi "+f.FirstName, time.Minute)
	links := st.GatewayURL + "/m/" + s.tenant.ID + "/"
	unsubscribe := strings.Trim(mail.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(unsubscribe, links+"u/") || mail.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe %q, List-Unsubscribe-Post %q; want a one-click link under %s", mail.Header.Get("List-Unsubscribe"),
			mail.Header.Get("List-Unsubscribe-Post"), links)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	click := clickLink.FindString(mail.Text)
	if !strings.HasPrefix(click, links+"t/c/") {
		t.Fatalf("the text's click link %q is not under %s: %s", click, links, mail.Text)
	}
	res, err := noFollow.Get(click)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if to := res.Header.Get("Location"); res.StatusCode != http.StatusFound || !strings.HasPrefix(to, "https://shop.example/offer?") ||
		!strings.Contains(to, "utm_campaign=offer") {
		t.Errorf("the click: %d to %q, want 302 to the offer with its UTM tags", res.StatusCode, to)
	}

	pixel := openPixel.FindStringSubmatch(mail.HTML)
	if len(pixel) != 2 || !strings.HasPrefix(pixel[1], links+"t/o/") {
		t.Fatalf("the HTML's open pixel %q is not under %s: %s", pixel, links, mail.HTML)
	}
	open := stack.Do(t, stack.Request{Method: http.MethodGet, URL: pixel[1]})
	if open.Status != http.StatusOK || open.Header.Get("Content-Type") != "image/gif" {
		t.Errorf("the pixel: %d %s, want 200 image/gif", open.Status, open.Header.Get("Content-Type"))
	}

	page := stack.Do(t, stack.Request{Method: http.MethodGet, URL: unsubscribe})
	if page.Status != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Errorf("the unsubscribe page: %d %s, want 200 HTML", page.Status, page.Header.Get("Content-Type"))
	}
	oneClick := stack.Do(t, stack.Request{Method: http.MethodPost, URL: unsubscribe,
		Body: stack.Raw{ContentType: "application/x-www-form-urlencoded", Data: []byte(url.Values{"List-Unsubscribe": {"One-Click"}}.Encode())}})
	if oneClick.Status != http.StatusOK {
		t.Fatalf("the one-click unsubscribe: %d %s", oneClick.Status, oneClick.Body)
	}
	testkit.Eventually(t, 30*time.Second, "contacts denies the contact's email consent", func() (bool, string) {
		res := stack.Do(t, stack.Request{Method: http.MethodGet, URL: st.GatewayURL + "/v1/contacts/" + f.ContactID, Token: token})
		var c struct {
			Consent struct {
				Email struct{ Status string }
			}
		}
		if err := json.Unmarshal(res.Body, &c); err != nil {
			return false, string(res.Body)
		}
		return c.Consent.Email.Status == "denied", string(res.Body)
	})
}
