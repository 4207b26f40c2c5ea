package marketing_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/forms"
)

// optInForm is a double opt-in form's body.
func optInForm() map[string]any {
	return map[string]any{"name": "Newsletter", "doubleOptIn": true, "thankYou": map[string]any{"message": "Welcome aboard."},
		"fields": []map[string]any{
			{"key": "name", "label": "Name", "type": "text", "mapsTo": "firstName"},
			{"key": "email", "label": "Email", "type": "email", "required": true, "mapsTo": "email"}},
		"consent": map[string]any{"text": "Email me the newsletter.", "required": true, "channel": "email"}}
}

// confirmLink is the confirmation link of a mail's text, and its path in
// the service.
var confirmLink = regexp.MustCompile(regexp.QuoteMeta(formsPublicURL) + `/m/([0-9a-f-]+)/forms/([0-9a-f-]+)/confirm/([A-Za-z0-9_-]+)`)

func TestFormsDoubleOptIn(t *testing.T) {
	relay := newFormsRelay(t, false)
	e := newFormsEnv(t, relay.URL)
	u := newUser(uuid.NewString())
	f := e.createForm(u, optInForm())
	visitor := formsVisitor(u)

	// The submission waits; the mail with the link goes to the address.
	res := contracttest.Decode[forms.Result](e.want(e.postFormJSON(visitor, f.ID, "203.0.113.1", map[string]any{
		"name": "Ada", "email": "ada@example.com", "consent": true}), http.StatusAccepted))
	if res.Status != forms.SubmissionPending || !strings.Contains(res.Message, "confirm") {
		t.Fatalf("result %+v", res)
	}
	subject, to, text, html := mailParts(t, relay.next(t))
	if subject != "Please confirm your submission: Newsletter" || !slices.Equal(to, []string{"ada@example.com"}) {
		t.Fatalf("mail %q to %v", subject, to)
	}
	m := confirmLink.FindStringSubmatch(text)
	if m == nil || m[1] != u.tenant || m[2] != f.ID || !strings.Contains(html, `href="`+m[0]+`"`) {
		t.Fatalf("no confirmation link for this form in:\n%s\n%s", text, html)
	}
	confirm := "/public/v1/forms/" + f.ID + "/confirm/" + m[3]
	if n := len(e.submitted()); n != 0 {
		t.Fatalf("%d form.submitted before the confirmation", n)
	}
	list := contracttest.Decode[forms.Page[forms.Submission]](e.want(e.do(u, "GET", "/v1/forms/"+f.ID+"/submissions", nil), http.StatusOK))
	if len(list.Items) != 1 || list.Items[0].Status != "pending_confirmation" {
		t.Fatalf("submissions %+v", list.Items)
	}

	// Following the link confirms nothing (a mail scanner follows links):
	// the page's button does.
	page := string(e.want(e.do(visitor, "GET", confirm, nil), http.StatusOK).Raw)
	if !strings.Contains(page, `<form method="post"><button type="submit">Confirm</button></form>`) {
		t.Fatalf("confirmation page:\n%s", page)
	}
	if n := len(e.submitted()); n != 0 {
		t.Fatalf("%d form.submitted after a GET", n)
	}
	// Forged, moved and other tenants' links are 404.
	e.want(e.do(visitor, "POST", "/public/v1/forms/"+f.ID+"/confirm/"+strings.Repeat("A", 43), nil), http.StatusNotFound)
	other := e.createForm(u, optInForm())
	e.want(e.do(visitor, "POST", "/public/v1/forms/"+other.ID+"/confirm/"+m[3], nil), http.StatusNotFound)
	e.want(e.do(formsVisitor(newUser(uuid.NewString())), "POST", confirm, nil), http.StatusNotFound)

	page = string(e.want(e.do(visitor, "POST", confirm, nil), http.StatusOK).Raw)
	if !strings.Contains(page, "Welcome aboard.") {
		t.Fatalf("confirmed page:\n%s", page)
	}
	e.want(e.do(visitor, "POST", confirm, nil), http.StatusOK) // again: nothing more
	got := e.submitted()
	if len(got) != 1 || got[0].ID != res.ID || got[0].Email != "ada@example.com" || got[0].FirstName != "Ada" || !got[0].Consent ||
		got[0].ConfirmedAt == nil || got[0].ConfirmedAt.Before(got[0].SubmittedAt) {
		t.Fatalf("form.submitted %+v", got)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
	list = contracttest.Decode[forms.Page[forms.Submission]](e.want(e.do(u, "GET", "/v1/forms/"+f.ID+"/submissions", nil), http.StatusOK))
	if list.Items[0].Status != "confirmed" || list.Items[0].ConfirmedAt == nil {
		t.Fatalf("submissions %+v", list.Items)
	}

	// A browser's submission: the page asking to check the mail.
	r := e.want(e.postForm(visitor, f.ID, "203.0.113.2", url.Values{"email": {"grace@example.com"}, "consent": {"true"}}), http.StatusOK)
	if !strings.Contains(string(r.Raw), "we have sent you a mail") {
		t.Fatalf("check-your-mail page:\n%s", r.Raw)
	}
	_, to, text, _ = mailParts(t, relay.next(t))
	if !slices.Equal(to, []string{"grace@example.com"}) {
		t.Fatalf("mailed %v", to)
	}
	// A link older than a week has expired.
	if _, err := e.admin.Exec("UPDATE form_submissions SET created_at = created_at - interval '8 days' WHERE email = 'grace@example.com'"); err != nil {
		t.Fatal(err)
	}
	old := "/public/v1/forms/" + f.ID + "/confirm/" + confirmLink.FindStringSubmatch(text)[3]
	e.want(e.do(visitor, "GET", old, nil), http.StatusGone)
	e.want(e.do(visitor, "POST", old, nil), http.StatusGone)

	// An address on the suppression list gets no mail: the submission is
	// kept as rejected:suppressed, the submitter sees what anyone sees.
	if _, err := e.admin.Exec(`INSERT INTO suppressions (tenant_id, channel, address, reason, created_at)
		VALUES ($1, 'email', 'bounced@example.com', 'hard_bounce', now())`, u.tenant); err != nil {
		t.Fatal(err)
	}
	e.want(e.postFormJSON(visitor, f.ID, "203.0.113.3", map[string]any{"email": "bounced@example.com", "consent": true}), http.StatusAccepted)
	list = contracttest.Decode[forms.Page[forms.Submission]](e.want(e.do(u, "GET", "/v1/forms/"+f.ID+"/submissions", nil), http.StatusOK))
	if list.Items[0].Email != "bounced@example.com" || list.Items[0].Status != "rejected:suppressed" {
		t.Fatalf("suppressed submission %+v", list.Items[0])
	}
	select {
	case <-relay.Mails:
		t.Fatal("a suppressed address was mailed")
	default:
	}
	// The consent the form requires is required.
	if got := e.want(e.postFormJSON(visitor, f.ID, "203.0.113.4", map[string]any{"email": "x@example.com"}), http.StatusBadRequest).fields(); !slices.Equal(got, []string{"consent"}) {
		t.Fatalf("no consent names %v", got)
	}
}

func TestFormsDoubleOptInRelayRefuses(t *testing.T) {
	relay := newFormsRelay(t, true)
	e := newFormsEnv(t, relay.URL)
	u := newUser(uuid.NewString())
	f := e.createForm(u, optInForm())
	r := e.want(e.postFormJSON(formsVisitor(u), f.ID, "203.0.113.1", map[string]any{"email": "ada@example.com", "consent": true}),
		http.StatusServiceUnavailable)
	if contracttest.Decode[problemBody](r).Type != "https://rapport.dev/problems/marketing-form-undeliverable" {
		t.Fatalf("problem %s", r.Raw)
	}
	list := contracttest.Decode[forms.Page[forms.Submission]](e.want(e.do(u, "GET", "/v1/forms/"+f.ID+"/submissions", nil), http.StatusOK))
	if len(list.Items) != 1 || list.Items[0].Status != "rejected:undeliverable" {
		t.Fatalf("submissions %+v", list.Items)
	}
	if n := len(e.submitted()); n != 0 {
		t.Fatalf("%d form.submitted", n)
	}
}
