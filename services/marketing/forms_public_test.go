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
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/marketing/forms"
)

func TestFormsHostedPageAndSnippet(t *testing.T) {
	e := newFormsEnv(t, "")
	u := newUser(uuid.NewString())
	f := e.createForm(u, leadForm(""))
	visitor := formsVisitor(u)

	r := e.want(e.do(visitor, "GET", "/public/v1/forms/"+f.ID, nil), http.StatusOK)
	html := string(r.Raw)
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	if !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("no content security policy: %v", r.Header)
	}
	for _, want := range []string{`<html lang="en">`, "<title>Webinar sign-up</title>", `<form method="post" action=""`,
		`for="` + fieldID(f, "first") + `">First name *</label>`, `id="` + fieldID(f, "first") + `" name="first" value="" autocomplete="given-name" required>`,
		`<input type="email" id="` + fieldID(f, "email") + `" name="email"`, `<option>11-50</option>`,
		`name="news" value="true"`, `<label for="` + fieldID(f, "consent") + `">I agree to receive marketing email.</label>`,
		`<button type="submit">Submit</button>`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %s:\n%s", want, html)
		}
	}
	// The honeypot is an input named website, off screen, hidden from
	// assistive technology and out of the tab order.
	honeypot := regexp.MustCompile(`<div style="position:absolute;left:-10000px[^"]*" aria-hidden="true">\s*<label for="[^"]+">[^<]+</label>\s*<input type="text" id="[^"]+" name="website" value="" tabindex="-1" autocomplete="off">`)
	if !honeypot.MatchString(html) {
		t.Fatalf("no hidden honeypot:\n%s", html)
	}

	// The snippet posts to the hosted endpoint through the gateway.
	snippet := contracttest.Decode[forms.Snippet](e.want(e.do(u, "GET", "/v1/forms/"+f.ID+"/snippet", nil), http.StatusOK))
	url := formsPublicURL + "/m/" + u.tenant + "/forms/" + f.ID
	if snippet.URL != url || !strings.HasPrefix(snippet.HTML, `<form method="post" action="`+url+`" accept-charset="utf-8">`) ||
		!strings.Contains(snippet.HTML, `name="website"`) || strings.Contains(snippet.HTML, "<script") ||
		!strings.HasPrefix(snippet.IFrame, `<iframe src="`+url+`" title="Webinar sign-up"`) {
		t.Fatalf("snippet %+v", snippet)
	}

	// A Chinese form speaks Chinese; its texts are escaped.
	zh := e.createForm(u, map[string]any{"name": "订阅 <b>新闻</b>", "language": "zh-CN", "fields": []map[string]any{
		{"key": "email", "label": "邮箱", "type": "email", "required": true, "mapsTo": "email"}}})
	page := string(e.want(e.do(visitor, "GET", "/public/v1/forms/"+zh.ID, nil), http.StatusOK).Raw)
	if !strings.Contains(page, `<html lang="zh-CN">`) || !strings.Contains(page, "<title>订阅 &lt;b&gt;新闻&lt;/b&gt;</title>") ||
		!strings.Contains(page, ">提交</button>") {
		t.Fatalf("the Chinese page:\n%s", page)
	}

	// Inactive, unknown and other tenants' forms are 404.
	e.want(e.do(u, "PATCH", "/v1/forms/"+zh.ID, map[string]any{"status": "inactive"}, "If-Match", kitx.ETag(1)), http.StatusOK)
	e.want(e.do(visitor, "GET", "/public/v1/forms/"+zh.ID, nil), http.StatusNotFound)
	e.want(e.do(visitor, "GET", "/public/v1/forms/"+uuid.NewString(), nil), http.StatusNotFound)
	e.want(e.do(visitor, "GET", "/public/v1/forms/nope", nil), http.StatusNotFound)
	e.want(e.do(formsVisitor(newUser(uuid.NewString())), "GET", "/public/v1/forms/"+f.ID, nil), http.StatusNotFound)
	// A builder's token does not reach the public routes.
	e.want(e.do(u.as("marketing:read", "marketing:write"), "GET", "/public/v1/forms/"+f.ID, nil), http.StatusForbidden)
}

// fieldID is the id of the input key on f's page.
func fieldID(f forms.Form, key string) string { return "rf-" + f.ID[len(f.ID)-8:] + "-" + key }

func TestFormsSubmissionsBecomeFormSubmitted(t *testing.T) {
	e := newFormsEnv(t, "")
	u := newUser(uuid.NewString())
	campaign := e.formsCampaign(u)
	f := e.createForm(u, leadForm(campaign))
	visitor := formsVisitor(u)
	contact := uuid.NewString()
	if _, err := e.admin.Exec(`INSERT INTO audience_contacts (tenant_id, id, email, created_at, updated_at, version)
		VALUES ($1, $2, 'ada@example.com', now(), now(), 1)`, u.tenant, contact); err != nil {
		t.Fatal(err)
	}

	// A browser's form: the thank-you page.
	r := e.want(e.postForm(visitor, f.ID, "203.0.113.7", url.Values{"first": {" Ada "}, "last": {"Lovelace"},
		"email": {"Ada@Example.com"}, "company": {"Analytical Engines"}, "size": {"11-50"}, "news": {"true"}, "consent": {"true"},
		"website": {""}}), http.StatusOK)
	if !strings.Contains(string(r.Raw), `role="status">Thank you.</p>`) {
		t.Fatalf("thank-you page:\n%s", r.Raw)
	}
	// JSON: the submission's id and status.
	res := contracttest.Decode[forms.Result](e.want(e.postFormJSON(visitor, f.ID, "203.0.113.8", map[string]any{
		"first": "Grace", "email": "grace@example.com", "news": false}), http.StatusCreated))
	if res.Status != forms.SubmissionConfirmed || res.Message != "Thank you." {
		t.Fatalf("JSON result %+v", res)
	}

	got := e.submitted()
	if len(got) != 2 {
		t.Fatalf("%d form.submitted", len(got))
	}
	ada, grace := got[0], got[1]
	if ada.FormID != f.ID || ada.CampaignID != campaign || ada.ContactID != contact || ada.FirstName != "Ada" || ada.LastName != "Lovelace" ||
		ada.Email != "ada@example.com" || ada.Company != "Analytical Engines" || !ada.Consent || ada.Source != "web form" ||
		ada.Fields["teamSize"] != "11-50" || ada.Fields["news"] != true || len(ada.Fields) != 2 || ada.SubmittedAt.IsZero() {
		t.Fatalf("Ada's submission %+v", ada)
	}
	if grace.ID != res.ID || grace.ContactID != "" || grace.Consent || grace.Fields["news"] != false || grace.LastName != "" {
		t.Fatalf("Grace's submission %+v", grace)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())

	// Both are listed, newest first, with who posted them.
	list := contracttest.Decode[forms.Page[forms.Submission]](e.want(e.do(u, "GET", "/v1/forms/"+f.ID+"/submissions?limit=1", nil), http.StatusOK))
	if len(list.Items) != 1 || list.Items[0].ID != grace.ID || list.Items[0].Status != "confirmed" || list.Items[0].ClientIP != "203.0.113.8" ||
		list.NextCursor == "" {
		t.Fatalf("first page %+v", list)
	}
	list = contracttest.Decode[forms.Page[forms.Submission]](e.want(e.do(u, "GET", "/v1/forms/"+f.ID+"/submissions?cursor="+list.NextCursor, nil),
		http.StatusOK))
	if len(list.Items) != 1 || list.Items[0].ID != ada.ID || list.Items[0].ClientIP != "203.0.113.7" || list.Items[0].UserAgent != "forms-test" ||
		list.Items[0].Email != "ada@example.com" || list.Items[0].Data.Company != "Analytical Engines" {
		t.Fatalf("second page %+v", list)
	}
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/forms/"+f.ID+"/submissions", nil), http.StatusNotFound)

	// A form with a redirect sends the browser there.
	e.want(e.do(u, "PATCH", "/v1/forms/"+f.ID, map[string]any{"redirectUrl": "https://example.com/thanks?from=form"},
		"If-Match", kitx.ETag(1)), http.StatusOK)
	r = e.want(e.postFormNoFollow(visitor, f.ID, "203.0.113.9", url.Values{"first": {"Edsger"}, "email": {"edsger@example.com"}}),
		http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "https://example.com/thanks?from=form" {
		t.Fatalf("redirected to %q", loc)
	}
}

func TestFormsBadSubmissions(t *testing.T) {
	e := newFormsEnv(t, "")
	u := newUser(uuid.NewString())
	f := e.createForm(u, leadForm(""))
	visitor := formsVisitor(u)

	// JSON: a problem naming every bad field, an extra one too.
	got := e.want(e.postFormJSON(visitor, f.ID, "198.51.100.1", map[string]any{"email": "not an address", "size": "huge",
		"news": "maybe", "admin": true}), http.StatusBadRequest).fields()
	for _, want := range []string{"admin", "first", "email", "size", "news"} {
		if !slices.Contains(got, want) {
			t.Errorf("%v does not name %s", got, want)
		}
	}
	got = e.want(e.postFormJSON(visitor, f.ID, "198.51.100.1", map[string]any{"first": "Ada", "email": "ada@example.com", "age": 36}),
		http.StatusBadRequest).fields()
	if !slices.Equal(got, []string{"age"}) {
		t.Fatalf("a number names %v", got)
	}
	// A browser's form: the page again, with the errors by their fields
	// and the values kept.
	r := e.want(e.postForm(visitor, f.ID, "198.51.100.2", url.Values{"first": {"Ada"}, "email": {"ada@"}, "favourite": {"x"}}),
		http.StatusBadRequest)
	page := string(r.Raw)
	for _, want := range []string{`role="alert"`, "Work email: must be an email address", "favourite: is not a field of this form",
		`name="first" value="Ada"`, `value="ada@"`, `aria-invalid="true" aria-describedby="` + fieldID(f, "email") + `-error"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s:\n%s", want, page)
		}
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	// A name posted twice, and a body of another type.
	e.want(e.postForm(visitor, f.ID, "198.51.100.3", url.Values{"first": {"A", "B"}, "email": {"a@example.com"}}), http.StatusBadRequest)
	e.want(e.do(visitor, "POST", "/public/v1/forms/"+f.ID, "first=Ada", "Content-Type", "text/plain"), http.StatusUnsupportedMediaType)

	// A filled honeypot looks like a success and stores nothing.
	r = e.want(e.postForm(visitor, f.ID, "198.51.100.4", url.Values{"first": {"Bot"}, "email": {"bot@example.com"},
		"website": {"http://spam.example"}}), http.StatusOK)
	if !strings.Contains(string(r.Raw), "Thank you.") {
		t.Fatalf("the robot's page:\n%s", r.Raw)
	}
	res := contracttest.Decode[forms.Result](e.want(e.postFormJSON(visitor, f.ID, "198.51.100.5", map[string]any{"first": "Bot",
		"email": "bot@example.com", "website": "x"}), http.StatusCreated))
	if res.ID == "" || res.Status != forms.SubmissionConfirmed {
		t.Fatalf("the robot's result %+v", res)
	}
	if n := len(e.submitted()); n != 0 {
		t.Fatalf("%d form.submitted", n)
	}
	list := contracttest.Decode[forms.Page[forms.Submission]](e.want(e.do(u, "GET", "/v1/forms/"+f.ID+"/submissions", nil), http.StatusOK))
	if len(list.Items) != 0 {
		t.Fatalf("stored %+v", list.Items)
	}
	if got := e.readForm(u, f.ID).Rejections; got[forms.RejectHoneypot] != 2 || got[forms.RejectInvalid] != 3 {
		t.Fatalf("rejections %v", got)
	}
}

func TestFormsFloodIsRateLimited(t *testing.T) {
	e := newFormsEnv(t, "")
	u := newUser(uuid.NewString())
	f := e.createForm(u, leadForm(""))
	visitor := formsVisitor(u)
	values := func(email string) url.Values { return url.Values{"first": {"Ada"}, "email": {email}} }

	// Per client address: five in the window, then 429 with Retry-After,
	// as a page for a browser and as a problem for JSON.
	for i := range 5 {
		e.want(e.postForm(visitor, f.ID, "192.0.2.1", values("ada"+string(rune('a'+i))+"@example.com")), http.StatusOK)
	}
	r := e.want(e.postForm(visitor, f.ID, "192.0.2.1", values("zed@example.com")), http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Raw), "Too many submissions from your address") {
		t.Fatalf("429 %v:\n%s", r.Header, r.Raw)
	}
	r = e.want(e.postFormJSON(visitor, f.ID, "192.0.2.1", map[string]any{"first": "Ada", "email": "zed@example.com"}), http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" || contracttest.Decode[problemBody](r).Type != kitx.ProblemTypeBase+"marketing-form-rate-limited" {
		t.Fatalf("JSON 429 %v: %s", r.Header, r.Raw)
	}
	// Per submitted email: five from five addresses, then 429.
	for i := range 5 {
		e.want(e.postForm(visitor, f.ID, "192.0.2."+string(rune('2'+i)), values("grace@example.com")), http.StatusOK)
	}
	e.want(e.postForm(visitor, f.ID, "192.0.2.9", values("Grace@example.com")), http.StatusTooManyRequests)
	// Another address and email still get through; another form has its
	// own count.
	e.want(e.postForm(visitor, f.ID, "192.0.2.10", values("edsger@example.com")), http.StatusOK)
	g := e.createForm(u, leadForm(""))
	e.want(e.postForm(visitor, g.ID, "192.0.2.1", values("zed@example.com")), http.StatusOK)

	if n := len(e.submitted()); n != 12 {
		t.Fatalf("%d form.submitted, want 12", n)
	}
	if got := e.readForm(u, f.ID).Rejections[forms.RejectRateLimited]; got != 3 {
		t.Fatalf("%d rate-limited rejections counted", got)
	}
}
