package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// formLead is what the test reads of a lead.
type formLead struct {
	ID, FirstName, LastName, Company, Email, CampaignID, Source string
}

// TestMarketingFormMakesALead builds a web form through the gateway as a
// marketer, loads its hosted page and posts it (a browser's urlencoded
// form) anonymously through the gateway's public /m/<slug>/forms/{id},
// and finds the lead sales makes of form.submitted, with the form's
// campaign. With double opt-in the lead waits until the link mailed to
// the address is confirmed through the gateway. Another tenant's slug
// does not reach the form.
func TestMarketingFormMakesALead(t *testing.T) {
	st := stack.Start(t, bins)
	tn := st.CreateTenant(t, "e2e-forms-"+letters(6))
	other := st.CreateTenant(t, "e2e-forms-"+letters(6))
	marketer := st.Invite(t, tn, "marketer@"+tn.Slug+".test", []string{"marketer"})
	var campaign struct{ ID string }
	stack.Must(t, stack.Request{Method: "POST", URL: st.GatewayURL + "/v1/campaigns", Token: marketer.Token,
		Body: map[string]any{"name": "Spring webinar", "type": "webinar"}}, http.StatusCreated, &campaign)

	var form struct {
		ID      string
		Version int64
	}
	stack.Must(t, stack.Request{Method: "POST", URL: st.GatewayURL + "/v1/forms", Token: marketer.Token, Body: map[string]any{
		"name": "Webinar sign-up", "campaignId": campaign.ID, "thankYou": map[string]any{"message": "See you at the webinar."},
		"fields": []map[string]any{
			{"key": "first", "label": "First name", "type": "text", "required": true, "mapsTo": "firstName"},
			{"key": "last", "label": "Last name", "type": "text", "required": true, "mapsTo": "lastName"},
			{"key": "email", "label": "Work email", "type": "email", "required": true, "mapsTo": "email"},
			{"key": "company", "label": "Company", "type": "text", "mapsTo": "company"}},
		"consent": map[string]any{"text": "Email me about the webinar.", "channel": "email"}}}, http.StatusCreated, &form)
	public := st.GatewayURL + "/m/" + tn.Slug + "/forms/" + form.ID

	page := stack.Must(t, stack.Request{Method: "GET", URL: public}, http.StatusOK, nil)
	if ct := page.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || !strings.Contains(string(page.Body), ">Work email *</label>") ||
		!strings.Contains(string(page.Body), `name="website"`) || !strings.Contains(string(page.Body), "Email me about the webinar.") {
		t.Fatalf("the hosted page (%s):\n%s", ct, page.Body)
	}
	stack.Must(t, stack.Request{Method: "GET", URL: st.GatewayURL + "/m/" + other.Slug + "/forms/" + form.ID}, http.StatusNotFound, nil)

	email := "ada." + letters(8) + "@analytical.example"
	thanks := stack.Must(t, submitForm(public, url.Values{"first": {"Ada"}, "last": {"Lovelace"}, "email": {email},
		"company": {"Analytical Engines"}, "consent": {"true"}, "website": {""}}), http.StatusOK, nil)
	if !strings.Contains(string(thanks.Body), "See you at the webinar.") {
		t.Fatalf("the thank-you page:\n%s", thanks.Body)
	}
	lead := waitLead(t, st, tn.Admin.Token, email)
	if lead.FirstName != "Ada" || lead.LastName != "Lovelace" || lead.Company != "Analytical Engines" || lead.CampaignID != campaign.ID ||
		lead.Source != "web form" {
		t.Fatalf("the lead %+v", lead)
	}

	// Double opt-in: no lead until the mailed link is confirmed.
	stack.Must(t, stack.Request{Method: "PATCH", URL: st.GatewayURL + "/v1/forms/" + form.ID, Token: marketer.Token,
		Body: map[string]any{"doubleOptIn": true}, Header: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, form.Version)}}, http.StatusOK, nil)
	grace := "grace." + letters(8) + "@navy.example"
	check := stack.Must(t, submitForm(public, url.Values{"first": {"Grace"}, "last": {"Hopper"}, "email": {grace}}), http.StatusOK, nil)
	if !strings.Contains(string(check.Body), "we have sent you a mail") {
		t.Fatalf("the check-your-mail page:\n%s", check.Body)
	}
	mail := st.MailTo(t, grace, "/forms/"+form.ID+"/confirm/", 30*time.Second)
	link := regexp.MustCompile(regexp.QuoteMeta(st.GatewayURL) + `/m/[0-9a-f-]+/forms/[0-9a-f-]+/confirm/[A-Za-z0-9_-]+`).FindString(mail.Text)
	if link == "" {
		t.Fatalf("no confirmation link in %q", mail.Text)
	}
	if n := len(leadsOf(t, st, tn.Admin.Token, grace)); n != 0 {
		t.Fatalf("%d leads before the confirmation", n)
	}
	stack.Must(t, stack.Request{Method: "GET", URL: link}, http.StatusOK, nil)
	stack.Must(t, stack.Request{Method: "POST", URL: link}, http.StatusOK, nil)
	if l := waitLead(t, st, tn.Admin.Token, grace); l.FirstName != "Grace" || l.CampaignID != campaign.ID {
		t.Fatalf("the confirmed lead %+v", l)
	}
}

// submitForm is a browser's post of values to a form's public URL.
func submitForm(public string, values url.Values) stack.Request {
	return stack.Request{Method: "POST", URL: public, Body: stack.Raw{ContentType: "application/x-www-form-urlencoded", Data: []byte(values.Encode())}}
}

// leadsOf lists the leads with email that token sees.
func leadsOf(t *testing.T, st *stack.Stack, token, email string) []formLead {
	t.Helper()
	var page struct{ Items []formLead }
	stack.Must(t, stack.Request{Method: "GET", URL: st.GatewayURL + "/v1/leads?q=" + url.QueryEscape(email), Token: token}, http.StatusOK, &page)
	var out []formLead
	for _, l := range page.Items {
		if strings.EqualFold(l.Email, email) {
			out = append(out, l)
		}
	}
	return out
}

// waitLead waits until sales has made the lead with email, and returns it.
func waitLead(t *testing.T, st *stack.Stack, token, email string) formLead {
	t.Helper()
	var got []formLead
	testkit.Eventually(t, 60*time.Second, "sales makes a lead of form.submitted", func() (bool, string) {
		got = leadsOf(t, st, token, email)
		return len(got) == 1, fmt.Sprintf("%d leads with %s", len(got), email)
	})
	return got[0]
}
