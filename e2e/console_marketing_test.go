package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// marketingScene is a tenant with a marketer and four contacts: three in
// Shanghai (Ada and Grace with email consent granted, Alan with none) and
// Linus in Beijing with consent, all in the marketing audience.
type marketingScene struct {
	scene
	marketer *stack.User
	ids      map[string]string // the contacts' ids by first name
}

// newMarketingScene sets the scene up through the public API and waits
// until the marketing service has projected the four contacts.
func newMarketingScene(t *testing.T, s *stack.Stack) *marketingScene {
	c := &marketingScene{scene: scene{s: s, tn: s.CreateTenant(t, "console-marketing")}, ids: map[string]string{}}
	c.marketer = s.Invite(t, c.tn, "marketer@"+c.tn.Slug+".test", []string{"marketer"})
	for _, p := range []struct{ first, last, city, consent string }{
		{"Ada", "Lovelace", "Shanghai", "granted"}, {"Grace", "Hopper", "Shanghai", "granted"},
		{"Alan", "Turing", "Shanghai", ""}, {"Linus", "Torvalds", "Beijing", "granted"},
	} {
		body := map[string]any{"firstName": p.first, "lastName": p.last, "address": map[string]any{"city": p.city, "country": "CN"},
			"emails": []map[string]any{{"address": strings.ToLower(p.first) + "@" + c.tn.Slug + ".example", "primary": true}}}
		if p.consent != "" {
			body["consent"] = map[string]any{"email": map[string]any{"status": p.consent, "source": "e2e"}}
		}
		c.ids[p.first] = c.create(t, http.MethodPost, "/v1/contacts", body, http.StatusCreated)
	}
	testkit.Eventually(t, time.Minute, "the audience holds the four contacts", func() (bool, string) {
		var page struct{ Items []struct{ ID string } }
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/audience/contacts?limit=200", Token: c.marketer.Token}, http.StatusOK, &page)
		return len(page.Items) == 4, fmt.Sprintf("%d contacts", len(page.Items))
	})
	return c
}

// pick opens the Select holding the input id and chooses its option whose
// title starts with title.
func pick(p *browser.Page, id, title string) {
	p.Click(`.ant-select:has(#` + id + `)`)
	p.Click(fmt.Sprintf(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title^=%q]`, title))
}

// TestConsoleMarketing walks the marketing pages in Chromium against the
// real stack as a marketer: builds a dynamic segment of the Shanghai
// contacts, watching the live count follow the conditions (3, then 2 with
// consent, then 3 again); creates a campaign with a budget and cost; writes
// an email template (a script is refused under the HTML field) and
// previews it for Ada; sends it to the segment and sees the send's
// recipients and the one excluded for want of consent; opens the ROI table
// and switches its model. Axe on the segments, the builder, the campaign,
// the template, the send wizard, the send and the ROI table. A static list
// gets a member by id, and a web form is built with its snippet; axe on
// them and on the lists of campaigns, templates, sends and forms; the send
// page on a 375 px phone.
func TestConsoleMarketing(t *testing.T) {
	s := stack.Start(t, bins)
	c := newMarketingScene(t, s)
	p := signIn(t, s, c.tn, c.marketer, desktop)

	p.Go(s.GatewayURL + "/marketing/segments")
	p.WaitTestID("page-segments")
	p.Axe("segments")
	p.Click(browser.TestID("segment-new"))
	p.WaitTestID("page-segment")
	p.Fill("#segment_name", "Shanghai subscribers")
	p.Click(browser.TestID("filter-add"))
	p.Click(browser.TestID("filter-field-0"))
	p.Fill(`[data-testid="filter-field-0"] input`, "City")
	p.Click(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="City"]`)
	p.Fill(browser.TestID("filter-value-0"), "Shanghai")
	p.Wait(`[data-testid="segment-count"][data-count="3"]`)
	p.Click(browser.TestID("filter-add"))
	p.Click(browser.TestID("filter-field-1"))
	p.Fill(`[data-testid="filter-field-1"] input`, "Email consent")
	p.Click(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="Email consent"]`)
	p.Click(browser.TestID("filter-value-1"))
	p.Click(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="granted"]`)
	p.Wait(`[data-testid="segment-count"][data-count="2"]`)
	if got := p.Text(browser.TestID("segment-sample")); !strings.Contains(got, "Ada Lovelace") || strings.Contains(got, "Alan Turing") {
		t.Errorf("the preview's sample is %q, want Ada and not Alan (no consent)", got)
	}
	p.Click(browser.TestID("filter-remove-1"))
	p.Wait(`[data-testid="segment-count"][data-count="3"]`)
	p.Axe("segment builder")
	p.Click(browser.TestID("segment-save"))
	p.Wait(`[data-testid="segment-members"] [data-testid="row"]`)
	if got := textWith(p, browser.TestID("segment-member-count"), "3"); !strings.Contains(got, "3 members") {
		t.Errorf("the saved segment shows %q, want 3 members", got)
	}
	if got := p.Text(browser.TestID("segment-members")); !strings.Contains(got, "Alan Turing") || strings.Contains(got, "Linus") {
		t.Errorf("the segment's members are %q, want the Shanghai contacts", got)
	}

	p.Go(s.GatewayURL + "/marketing/campaigns/new")
	p.WaitTestID("page-campaign")
	p.Fill("#campaign_name", "Spring launch")
	p.Fill("#campaign_budget_amount", "5000")
	p.Fill("#campaign_actualCost_amount", "1200.50")
	p.Click(browser.TestID("campaign-save"))
	p.WaitTestID("campaign-counts")
	p.WaitGone(".ant-message-notice")
	p.Axe("campaign page")

	p.Go(s.GatewayURL + "/marketing/templates/new")
	p.WaitTestID("page-template")
	p.Fill("#template_name", "Spring news")
	p.Fill("#template_subject", `Spring news for {{contact.firstName | default: "you"}}`)
	p.Fill("#template_html", `<p>Hello</p><script>alert(1)</script>`)
	p.Click(browser.TestID("template-save"))
	p.Wait(".ant-form-item-has-error #template_html")
	p.Fill("#template_html", `<p>Hello {{contact.firstName | default: "there"}}, spring is here.</p>`)
	p.Click(browser.TestID("template-save"))
	p.WaitTestID("template-preview")
	pick(p, "preview-contact", "Ada Lovelace")
	p.WaitTestID("preview-subject")
	if got := p.Text(browser.TestID("preview-subject")); got != "Spring news for Ada" {
		t.Errorf("the preview's subject is %q, want it merged for Ada", got)
	}
	p.WaitGone(".ant-message-notice")
	p.Axe("template editor with its preview")

	p.Go(s.GatewayURL + "/marketing/sends/new")
	p.WaitTestID("page-send-new")
	pick(p, "send_templateId", "Spring news")
	pick(p, "send_campaignId", "Spring launch")
	p.Axe("send wizard")
	p.Click(browser.TestID("send-next"))
	pick(p, "send_segmentId", "Shanghai subscribers")
	p.Click(browser.TestID("send-next"))
	p.Click(browser.TestID("send-next"))
	p.Click(browser.TestID("send-create"))
	p.WaitTestID("page-send")
	p.Wait(`[data-testid="send-count-recipients"][data-value="3"]`)
	p.Wait(`[data-testid="send-excluded-noConsent"][data-value="1"]`)
	sendPath := pagePath(t, p)
	if got := p.Text(browser.TestID("send-exclusions")); !strings.Contains(got, "No consent") {
		t.Errorf("the exclusions read %q", got)
	}
	p.Axe("send page")

	roiLists := func(model string) string {
		var got string
		testkit.Eventually(t, time.Minute, "the ROI table lists the campaign", func() (bool, string) {
			p.Reload()
			p.Wait(fmt.Sprintf(`[data-testid="roi-table"][data-model=%q]`, model))
			got = p.Text(browser.TestID("roi-table"))
			return strings.Contains(got, "Spring launch"), got
		})
		return got
	}
	p.Go(s.GatewayURL + "/marketing/roi")
	p.WaitTestID("page-roi")
	if got := roiLists("linear"); !strings.Contains(got, "1,200.50") {
		t.Errorf("the ROI table reads %q, want the campaign's cost 1,200.50", got)
	}
	p.ClickText(".ant-segmented-item", "First touch")
	p.Wait(`[data-testid="roi-table"][data-model="first_touch"]`)
	p.Axe("ROI table")

	p.Go(s.GatewayURL + "/marketing/segments/new?kind=static")
	p.WaitTestID("page-segment")
	p.Fill("#segment_name", "Beijing guests")
	p.Click(browser.TestID("segment-save"))
	p.WaitTestID("list-add-ids")
	p.Fill("#list-add-ids", c.ids["Linus"])
	p.Click(browser.TestID("list-add"))
	if got := textWith(p, browser.TestID("list-add-result"), "1 added"); !strings.Contains(got, "1 added, 0 already members") {
		t.Errorf("adding Linus to the list reads %q", got)
	}
	if got := textWith(p, browser.TestID("segment-members"), "Linus Torvalds"); !strings.Contains(got, "Linus Torvalds") {
		t.Errorf("the list's members are %q, want Linus", got)
	}
	p.WaitGone(".ant-message-notice")
	p.Axe("static list")

	p.Go(s.GatewayURL + "/marketing/forms/new")
	p.WaitTestID("page-form")
	p.Fill("#webform_name", "Spring webinar")
	p.Fill("#webform_consentText", "Email me about the webinar.")
	p.Click(browser.TestID("form-save"))
	p.Wait(`[data-testid="form-snippet-code"]`)
	if got := p.Value(browser.TestID("form-snippet-code")); !strings.Contains(got, "<form") || !strings.Contains(got, "Email me about the webinar.") {
		t.Errorf("the form's snippet is %q, want an HTML form with the consent text", got)
	}
	p.WaitTestID("form-submissions")
	p.WaitGone(".ant-message-notice")
	p.Axe("form builder")

	for _, l := range []struct{ path, id string }{{"/marketing/campaigns", "page-campaigns"}, {"/marketing/templates", "page-templates"},
		{"/marketing/sends", "page-sends"}, {"/marketing/forms", "page-forms"}} {
		p.Go(s.GatewayURL + l.path)
		p.WaitTestID(l.id)
		p.Wait(browser.TestID(l.id) + ` [data-testid="row"]`)
		p.Axe(l.path)
	}

	ph := signIn(t, s, c.tn, c.marketer, phone)
	ph.Go(s.GatewayURL + sendPath)
	ph.Wait(`[data-testid="send-excluded-noConsent"][data-value="1"]`)
	ph.Axe("send page on a phone")
}
