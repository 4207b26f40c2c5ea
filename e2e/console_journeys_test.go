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

// chooseStep opens the + on the arrow kind (next, yes, no) leaving the
// journey step from and picks the step type typ from its menu, waiting
// until the menu has closed.
func chooseStep(p *browser.Page, from, kind, typ string) {
	p.Click(browser.TestID("journey-add-" + from + "-" + kind))
	p.Click(`.ant-dropdown:not(.ant-dropdown-hidden) ` + browser.TestID("journey-add-type-"+typ))
	p.WaitGone(`.ant-dropdown:not(.ant-dropdown-hidden)`)
}

// setInput sets the value of the input matching selector as the browser's
// own date-time picker would (a datetime-local field takes no typed text
// in a form every locale shares), so React sees the change.
func setInput(t *testing.T, p *browser.Page, selector, value string) {
	t.Helper()
	var got string
	p.Eval(fmt.Sprintf(`(() => { const el = document.querySelector(%q);
		Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(el, %q);
		el.dispatchEvent(new Event("input", { bubbles: true })); return el.value; })()`, selector, value), &got)
	if got != value {
		t.Fatalf("%s holds %q, want %q", selector, got, value)
	}
}

// TestConsoleJourneys walks the journey canvas and an A/B test in Chromium
// as a marketer. A journey on a static list is built on the canvas: saving
// it with its send step's template missing outlines that step with the
// API's problem (steps/0/templateId); then the template, a wait, a branch
// on the send's open with a field update on yes and an exit on no (yes
// laid out left of no). It is saved, activated, and Linus joining the list
// shows up in its enrolments, his send step queued in his history. A send with an A/B test of two subjects to
// the Shanghai segment shows its results card with a message sent by each
// variant; one made through the API with half of its recipients held back
// (a send with none held completes undecided) and a deadline seconds away
// shows variant A chosen by the deadline (a tie goes to the first). Axe on the
// journeys list, the canvas, the journey with its enrolments, the wizard's
// A/B test and both sends' results.
func TestConsoleJourneys(t *testing.T) {
	s := stack.Start(t, bins)
	c := newMarketingScene(t, s)
	post := func(path string, body any) string {
		var rec struct {
			ID string `json:"id"`
		}
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: s.GatewayURL + path, Token: c.marketer.Token, Body: body}, http.StatusCreated, &rec)
		return rec.ID
	}
	listID := post("/v1/segments", map[string]any{"name": "Journey list", "kind": "static"})
	shanghaiID := post("/v1/segments", map[string]any{"name": "Shanghai", "kind": "dynamic", "filter": map[string]any{"field": "city", "op": "eq", "value": "Shanghai"}})
	templateID := post("/v1/templates", map[string]any{"name": "Welcome", "channel": "email", "subject": "Welcome {{contact.firstName}}",
		"html": `<html><body><p>Welcome {{contact.firstName}}</p><a href="{{unsubscribeUrl}}">unsubscribe</a></body></html>`,
		"text": "Welcome {{unsubscribeUrl}}"})
	p := signIn(t, s, c.tn, c.marketer, desktop)

	p.Go(s.GatewayURL + "/marketing/journeys")
	p.WaitTestID("page-journeys")
	p.Axe("journeys")
	p.Click(browser.TestID("journey-new"))
	p.WaitTestID("journey-canvas")
	p.Fill("#journey_name", "Onboarding")
	pick(p, "journey_trigger_segmentId", "Journey list")
	p.Click(browser.TestID("journey-save"))
	p.Wait(`[data-testid="journey-step-s1"][data-invalid="true"]`)
	if got := p.Text(browser.TestID("journey-step-problem-s1")); !strings.Contains(got, "templateId") {
		t.Errorf("the send step's problem reads %q, want its templateId named", got)
	}
	pick(p, "journey-step-template", "Welcome")
	chooseStep(p, "s1", "next", "wait")
	p.Wait(`[data-testid="journey-step-s2"][aria-pressed="true"]`)
	chooseStep(p, "s2", "next", "branch")
	p.Wait(`[data-testid="journey-step-s3"][aria-pressed="true"]`)
	p.ClickText(`[data-testid="journey-step-panel"] .ant-radio-wrapper`, "Opened a send")
	chooseStep(p, "s3", "yes", "update")
	p.Wait(`[data-testid="journey-step-s4"][aria-pressed="true"]`)
	p.ClickText(`[data-testid="journey-step-panel"] .ant-radio-wrapper`, "A field")
	p.Fill("#journey-step-value", "customer")
	chooseStep(p, "s3", "no", "exit")
	p.Wait(`[data-testid="journey-step-s5"][aria-pressed="true"]`)
	var yesLeftOfNo bool
	p.Eval(`document.querySelector('[data-testid="journey-step-s4"]').getBoundingClientRect().left < document.querySelector('[data-testid="journey-step-s5"]').getBoundingClientRect().left`, &yesLeftOfNo)
	if !yesLeftOfNo {
		t.Error("the branch's yes step is not left of its no step")
	}
	p.Axe("journey canvas")
	p.Click(browser.TestID("journey-save"))
	p.Wait(`[data-testid="page-journey"][data-status="draft"]`)
	journeyPath := pagePath(t, p)
	for _, id := range []string{"s1", "s2", "s3", "s4", "s5"} {
		p.Wait(browser.TestID("journey-step-" + id))
	}
	if got := p.Text(browser.TestID("journey-step-s1")); !strings.Contains(got, "Welcome") {
		t.Errorf("the send step reads %q, want its template", got)
	}
	p.WaitGone(".ant-message-notice")
	p.Click(browser.TestID("journey-activate"))
	p.Wait(`[data-testid="page-journey"][data-status="active"]`)

	stack.Must(t, stack.Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/segments/" + listID + "/members", Token: c.marketer.Token,
		Body: map[string]any{"contactIds": []string{c.ids["Linus"]}}}, http.StatusOK, nil)
	testkit.Eventually(t, time.Minute, "the journey's enrolments list Linus", func() (bool, string) {
		p.Go(s.GatewayURL + journeyPath)
		p.WaitTestID("journey-enrolments")
		p.Wait(`[data-testid="journey-enrolments"] .ant-table-tbody, [data-testid="journey-enrolments"] [data-testid="row"]`)
		if !p.Has(`[data-testid="journey-enrolments"] [data-testid="row"]`) {
			return false, "no enrolment"
		}
		got := p.Text(browser.TestID("journey-enrolments"))
		return strings.Contains(got, "1. Send: queued"), got
	})
	if got := p.Text(browser.TestID("journey-enrolments")); !strings.Contains(got, c.ids["Linus"][:8]) {
		t.Errorf("the enrolments read %q, want Linus's", got)
	}
	p.Axe("journey with its enrolments")
	p.Click(`[data-testid="journey-enrolments"] [data-testid="row"]`)
	if got := p.Text(".ant-modal-body"); !strings.Contains(got, "1. Send: queued") {
		t.Errorf("the enrolment's history reads %q, want its send step queued", got)
	}

	p.Go(s.GatewayURL + "/marketing/sends/new")
	p.WaitTestID("page-send-new")
	pick(p, "send_templateId", "Welcome")
	p.Click(browser.TestID("send-next"))
	pick(p, "send_segmentId", "Shanghai")
	p.Click(browser.TestID("send-next"))
	p.Click(browser.TestID("ab-enable"))
	p.ClickText(`[data-testid="ab-fields"] .ant-radio-wrapper`, "Subject")
	p.Fill("#send_abTest_variants_0_subject", "Hello from A")
	p.Fill("#send_abTest_variants_1_subject", "Hello from B")
	p.Fill("#send_abTest_testShare", "100")
	setInput(t, p, "#send_abTest_decideAt", time.Now().Add(48*time.Hour).Format("2006-01-02T15:04"))
	p.Axe("send wizard with an A/B test")
	p.Click(browser.TestID("send-next"))
	if got := p.Text(browser.TestID("send-review")); !strings.Contains(got, "2 variants to 100% of the recipients") {
		t.Errorf("the review reads %q, want the A/B test", got)
	}
	p.Click(browser.TestID("send-create"))
	p.WaitTestID("page-send")
	p.WaitTestID("ab-results")
	p.Wait(`[data-testid="ab-variant-A"][data-sent="1"]`)
	p.Wait(`[data-testid="ab-variant-B"][data-sent="1"]`)
	if got := p.Text(browser.TestID("ab-test")); !strings.Contains(got, "Two-proportion z-test") || !strings.Contains(got, "A against B") && !strings.Contains(got, "B against A") {
		t.Errorf("the A/B test reads %q, want the z-test and the best against the runner-up", got)
	}
	p.Axe("send with its A/B results")

	sendID := post("/v1/sends", map[string]any{"templateId": templateID, "channel": "email", "segmentId": shanghaiID, "abTest": map[string]any{
		"variants": []map[string]any{{"subject": "Short"}, {"subject": "Longer subject"}}, "testShare": 50, "metric": "click",
		"decideAt": time.Now().Add(8 * time.Second).UTC().Format(time.RFC3339)}})
	testkit.Eventually(t, time.Minute, "the send's A/B test is decided", func() (bool, string) {
		p.Go(s.GatewayURL + "/marketing/sends/" + sendID)
		p.WaitTestID("ab-results")
		return p.Has(`[data-testid="ab-results"][data-state="decided"][data-winner="A"]`), p.Text(browser.TestID("ab-results"))
	})
	if got := p.Text(browser.TestID("ab-decision")); !strings.Contains(got, "Variant A won by the deadline") {
		t.Errorf("the A/B decision reads %q, want A by the deadline (a tie goes to the first)", got)
	}
	p.Axe("send with a decided A/B test")

	p.Go(s.GatewayURL + "/marketing/journeys")
	p.Wait(browser.TestID("page-journeys") + ` [data-testid="row"]`)
	if got := p.Text(browser.TestID("page-journeys")); !strings.Contains(got, "Onboarding") || !strings.Contains(got, "Active") {
		t.Errorf("the journeys list reads %q, want Onboarding active", got)
	}
}
