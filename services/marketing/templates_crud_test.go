package marketing_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/marketing/templates"
)

// TestTemplatesCRUD creates email and SMS templates, reads, lists,
// changes and deletes them; another tenant sees none.
func TestTemplatesCRUD(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	mail := e.createTemplate(u, map[string]any{"name": " Welcome ", "channel": "email", "subject": `Hello {{contact.firstName | default: "there"}}`,
		"html": `<p>Hi {{contact.firstName | capitalize}}</p><a href="{{unsubscribeUrl}}">Unsubscribe</a>`, "text": "Hi {{contact.firstName}}"})
	sms := e.createTemplate(u, map[string]any{"name": "Reminder", "channel": "sms", "body": "您好 {{contact.firstName}}，明天见"})
	if mail.Name != "Welcome" || mail.CreatedBy != u.id || mail.Version != 1 || sms.Channel != "sms" {
		t.Errorf("created %+v and %+v", mail, sms)
	}
	got := contracttest.Decode[templates.Template](e.want(e.do(u, "GET", "/v1/templates/"+sms.ID, nil), http.StatusOK))
	if got.Body != "您好 {{contact.firstName}}，明天见" {
		t.Errorf("got %+v", got)
	}
	list := func(q string) []string {
		var out []string
		for _, x := range contracttest.Decode[templates.Page](e.want(e.do(u, "GET", "/v1/templates"+q, nil), http.StatusOK)).Items {
			out = append(out, x.ID)
		}
		return out
	}
	if l := list(""); !slices.Equal(l, []string{sms.ID, mail.ID}) {
		t.Errorf("list %v", l)
	}
	if l := list("?channel=email"); !slices.Equal(l, []string{mail.ID}) {
		t.Errorf("email templates %v", l)
	}
	upd := contracttest.Decode[templates.Template](e.want(e.do(u, "PATCH", "/v1/templates/"+mail.ID, map[string]any{"subject": "Welcome aboard"},
		"If-Match", kitx.ETag(1)), http.StatusOK))
	if upd.Subject != "Welcome aboard" || upd.Version != 2 || upd.HTML != mail.HTML {
		t.Errorf("updated %+v", upd)
	}
	r := e.want(e.do(u, "PATCH", "/v1/templates/"+mail.ID, map[string]any{"channel": "sms"}, "If-Match", kitx.ETag(2)), http.StatusBadRequest)
	if f := r.fields(); !slices.Equal(f, []string{"channel"}) {
		t.Errorf("a channel change: fields %v", f)
	}
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/templates/"+mail.ID, nil), http.StatusNotFound)
	e.want(e.do(u.as("marketing:read"), "DELETE", "/v1/templates/"+mail.ID, nil), http.StatusForbidden)
	e.want(e.do(u, "DELETE", "/v1/templates/"+mail.ID, nil, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	e.want(e.do(u, "DELETE", "/v1/templates/"+mail.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/templates/"+mail.ID, nil), http.StatusNotFound)
}

// TestTemplatesBadInput: an unbalanced, empty or unknown merge tag or
// filter, a script, an event handler or a javascript: URL in the HTML,
// and parts of the other channel are problems naming the part and, for a
// tag, where it is.
func TestTemplatesBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	email := func(subject, html, text string) map[string]any {
		return map[string]any{"name": "T", "channel": "email", "subject": subject, "html": html, "text": text}
	}
	tests := []struct {
		body   map[string]any
		field  string
		detail string
	}{
		{email("Hi {{contact.firstName", "<p>x</p>", ""), "subject", "line 1, column 4"},
		{email("Hi", "<p>\n  {{contact.firstName}</p>", ""), "html", "line 2, column 3"},
		{email("Hi", "<p>x</p>", "Bye }} now"), "text", "line 1, column 5"},
		{email("Hi {{contact.shoeSize}}", "<p>x</p>", ""), "subject", "unknown merge field"},
		{email("Hi", "<p>{{contact.firstName | shout}}</p>", ""), "html", "unknown filter"},
		{email("Hi", "<p>{{ }}</p>", ""), "html", "empty merge tag"},
		{email("Hi", "<p>x</p><script>alert(1)</script>", ""), "html", "<script>"},
		{email("Hi", `<img src="x.png" onerror="alert(1)">`, ""), "html", "event handler"},
		{email("Hi", `<a href=" JaVa&#x09;Script:alert(1)">x</a>`, ""), "html", "script URL"},
		{email("Hi", `<iframe src="https://example.com"></iframe>`, ""), "html", "<iframe>"},
		{email("", "", ""), "subject", "required"},
		{map[string]any{"name": "S", "channel": "sms", "body": "x", "subject": "no"}, "subject", "SMS template"},
		{map[string]any{"name": "S", "channel": "fax", "body": "x"}, "channel", "email or sms"},
	}
	for _, tt := range tests {
		r := e.want(e.do(u, "POST", "/v1/templates", tt.body), http.StatusBadRequest)
		p := contracttest.Decode[problemBody](r)
		var reasons []string
		for _, f := range p.Errors {
			if f.Field == tt.field {
				reasons = append(reasons, f.Reason)
			}
		}
		if len(reasons) == 0 || !strings.Contains(strings.Join(reasons, "; "), tt.detail) {
			t.Errorf("%v: problem %s, want field %s saying %q", tt.body, r.Raw, tt.field, tt.detail)
		}
	}
	if l := contracttest.Decode[templates.Page](e.want(e.do(u, "GET", "/v1/templates", nil), http.StatusOK)).Items; len(l) != 0 {
		t.Errorf("%d templates stored", len(l))
	}
}

// TestTemplatePreview renders templates with an audience contact: defaults
// and filters, a field with no value listed as unresolved, HTML-escaped
// values, the placeholder links, an SMS's segments (UCS-2 for Chinese).
func TestTemplatePreview(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ada := e.audienceContact(u.tenant, map[string]string{"first_name": "ada", "last_name": "<Lovelace>", "email": "ada@example.com",
		"custom_fields": `{"plan": "gold", "seats": 12}`})
	wang := e.audienceContact(u.tenant, map[string]string{"first_name": "王", "city": "上海"})
	mail := e.createTemplate(u, map[string]any{"name": "Offer", "channel": "email",
		"subject": `{{contact.firstName | default: "there" | upper}}, your {{contact.customFields.plan}} offer`,
		"html":    `<p>Dear {{contact.firstName | capitalize}} {{contact.lastName}} from {{contact.city}}</p><a href="{{unsubscribeUrl}}">stop</a>`,
		"text":    `{{contact.customFields.seats}} seats in {{contact.city | default: "your city"}}`})
	p := contracttest.Decode[templates.Preview](e.want(e.do(u, "POST", "/v1/templates/"+mail.ID+"/preview", map[string]any{"contactId": ada}), http.StatusOK))
	if p.Subject != "ADA, your gold offer" || p.Text != "12 seats in your city" || !slices.Equal(p.Unresolved, []string{"contact.city"}) ||
		!strings.Contains(p.HTML, "Dear Ada &lt;Lovelace&gt; from </p>") || !strings.Contains(p.HTML, `href="https://`) {
		t.Errorf("preview %+v", p)
	}

	sms := e.createTemplate(u, map[string]any{"name": "SMS", "channel": "sms", "body": "{{contact.firstName}}您好，{{contact.city}}的活动明天开始"})
	p = contracttest.Decode[templates.Preview](e.want(e.do(u, "POST", "/v1/templates/"+sms.ID+"/preview", map[string]any{"contactId": wang}), http.StatusOK))
	if p.Body != "王您好，上海的活动明天开始" || p.SMSSegments != 1 || p.SMSEncoding != "UCS-2" || len(p.Unresolved) != 0 {
		t.Errorf("SMS preview %+v", p)
	}
	long := e.createTemplate(u, map[string]any{"name": "Long", "channel": "sms", "body": strings.Repeat("x", 155) + " {{contact.firstName}} €"})
	p = contracttest.Decode[templates.Preview](e.want(e.do(u, "POST", "/v1/templates/"+long.ID+"/preview", map[string]any{"contactId": ada}), http.StatusOK))
	if p.SMSSegments != 2 || p.SMSEncoding != "GSM-7" {
		t.Errorf("a 160-character GSM-7 body, 161 septets with € counting two: %d %s, want 2 GSM-7", p.SMSSegments, p.SMSEncoding)
	}

	r := e.want(e.do(u, "POST", "/v1/templates/"+mail.ID+"/preview", map[string]any{"contactId": uuid.NewString()}), http.StatusBadRequest)
	if f := r.fields(); !slices.Equal(f, []string{"contactId"}) {
		t.Errorf("an unknown contact: fields %v", f)
	}
	e.want(e.do(newUser(uuid.NewString()), "POST", "/v1/templates/"+mail.ID+"/preview", map[string]any{"contactId": ada}), http.StatusNotFound)
}
