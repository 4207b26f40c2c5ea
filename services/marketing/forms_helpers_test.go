package marketing_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing"
	"github.com/rapport-crm/rapport/services/marketing/forms"
)

func init() {
	// The hosted pages are HTML, which the contract reads as text.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
}

// formsPublicURL is the gateway's public URL the forms' tests configure.
const formsPublicURL = "https://gw.rapport.test"

// newFormsEnv starts the service with forms' configuration: the public
// URL, a link key and, when relay is not "", the mail relay.
func newFormsEnv(t *testing.T, relay string) *env {
	t.Setenv("MARKETING_PUBLIC_URL", formsPublicURL)
	t.Setenv("MARKETING_LINK_KEY", base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("f"), 32)))
	t.Setenv("MARKETING_SMTP_URL", relay)
	t.Setenv("MARKETING_MAIL_FROM", "Rapport Forms <forms@rapport.test>")
	return newEnv(t)
}

// formsVisitor is the public principal of u's tenant, as the gateway
// mints it for /m/<tenant>/forms/….
func formsVisitor(u user) user {
	u.id, u.perms = "public", []string{"marketing:public"}
	return u
}

// createForm creates a form as u from body.
func (e *env) createForm(u user, body map[string]any) forms.Form {
	e.t.Helper()
	return contracttest.Decode[forms.Form](e.want(e.do(u, "POST", "/v1/forms", body), http.StatusCreated))
}

// readForm reads the form id as u.
func (e *env) readForm(u user, id string) forms.Form {
	e.t.Helper()
	return contracttest.Decode[forms.Form](e.want(e.do(u, "GET", "/v1/forms/"+id, nil), http.StatusOK))
}

// formsCampaign creates a campaign as u and returns its id.
func (e *env) formsCampaign(u user) string {
	e.t.Helper()
	c := contracttest.Decode[struct{ ID string }](e.want(e.do(u, "POST", "/v1/campaigns", map[string]any{"name": "Webinar", "type": "webinar"}),
		http.StatusCreated))
	return c.ID
}

// leadForm is a form body asking for a lead's names, email, company and
// an interest, with a consent checkbox, for campaign ("" for none).
func leadForm(campaign string) map[string]any {
	f := map[string]any{"name": "Webinar sign-up", "fields": []map[string]any{
		{"key": "first", "label": "First name", "type": "text", "required": true, "mapsTo": "firstName"},
		{"key": "last", "label": "Last name", "type": "text", "mapsTo": "lastName"},
		{"key": "email", "label": "Work email", "type": "email", "required": true, "mapsTo": "email"},
		{"key": "company", "label": "Company", "type": "text", "mapsTo": "company"},
		{"key": "size", "label": "Team size", "type": "select", "options": []string{"1-10", "11-50", "51+"}, "mapsTo": "custom:teamSize"},
		{"key": "news", "label": "Send me the newsletter", "type": "checkbox"},
	}, "consent": map[string]any{"text": "I agree to receive marketing email.", "channel": "email"}}
	if campaign != "" {
		f["campaignId"] = campaign
	}
	return f
}

// postForm posts values to the form id as a browser does
// (application/x-www-form-urlencoded) from the client address ip, as v.
func (e *env) postForm(v user, id, ip string, values url.Values) reply {
	e.t.Helper()
	return e.do(v, "POST", "/public/v1/forms/"+id, values.Encode(), "Content-Type", "application/x-www-form-urlencoded",
		"X-Forwarded-For", ip+", 10.0.0.1", "User-Agent", "forms-test")
}

// postFormNoFollow is postForm with the answer as it is: a redirect is
// not followed.
func (e *env) postFormNoFollow(v user, id, ip string, values url.Values) reply {
	e.t.Helper()
	doc, err := marketing.OpenAPI(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req := contracttest.NewRequest(e.t, "POST", e.base+"/public/v1/forms/"+id, values.Encode(),
		"Content-Type", "application/x-www-form-urlencoded", "X-Forwarded-For", ip)
	e.authorize(req, v)
	return reply{contracttest.NewContract(e.t, doc, client).Do(e.t, req)}
}

// postFormJSON posts body to the form id as JSON from ip, as v.
func (e *env) postFormJSON(v user, id, ip string, body map[string]any) reply {
	e.t.Helper()
	return e.do(v, "POST", "/public/v1/forms/"+id, body, "X-Forwarded-For", ip)
}

// submitted returns the data of every form.submitted published so far.
func (e *env) submitted() []formsSubmission {
	e.t.Helper()
	var out []formsSubmission
	for _, ev := range e.published() {
		if ev.Type != "dev.rapport.marketing.form.submitted.v1" {
			continue
		}
		var s formsSubmission
		if err := json.Unmarshal(ev.Data, &s); err != nil {
			e.t.Fatalf("form.submitted %s: %v", ev.Data, err)
		}
		if s.ID != ev.Subject {
			e.t.Fatalf("form.submitted's subject %s, its id %s", ev.Subject, s.ID)
		}
		out = append(out, s)
	}
	return out
}

// formsSubmission is form.submitted's data: the fields sales'
// marketingevents.Submission reads (firstName, lastName, company, title,
// email, phone, campaignId, formId, source) and the rest of the
// contract's shape.
type formsSubmission struct {
	ID          string         `json:"id"`
	FormID      string         `json:"formId"`
	CampaignID  string         `json:"campaignId"`
	ContactID   string         `json:"contactId"`
	FirstName   string         `json:"firstName"`
	LastName    string         `json:"lastName"`
	Company     string         `json:"company"`
	Title       string         `json:"title"`
	Email       string         `json:"email"`
	Phone       string         `json:"phone"`
	Consent     bool           `json:"consent"`
	Fields      map[string]any `json:"fields"`
	SubmittedAt time.Time      `json:"submittedAt"`
	ConfirmedAt *time.Time     `json:"confirmedAt"`
	Source      string         `json:"source"`
}

// formEvents returns the types of the events published about the form
// id, in order.
func (e *env) formEvents(id string) []string {
	e.t.Helper()
	var out []string
	for _, ev := range e.published() {
		if ev.Subject == id {
			out = append(out, strings.TrimSuffix(strings.TrimPrefix(ev.Type, "dev.rapport.marketing."), ".v1"))
		}
	}
	return out
}

// formsRelay is a mail relay (a go-smtp server): each mail it takes
// arrives on Mails; it refuses every recipient when Refuse.
type formsRelay struct {
	URL   string
	Mails chan *mail.Reader
}

// newFormsRelay starts a relay, refusing every recipient when refuse.
func newFormsRelay(t *testing.T, refuse bool) *formsRelay {
	r := &formsRelay{Mails: make(chan *mail.Reader, 20)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &formsSink{mails: r.Mails, refuse: refuse}, nil
	}))
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	r.URL = "smtp://" + ln.Addr().String()
	return r
}

// next returns the next mail the relay took.
func (r *formsRelay) next(t *testing.T) *mail.Reader {
	t.Helper()
	select {
	case m := <-r.Mails:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no mail reached the relay")
		return nil
	}
}

// formsSink is a session of formsRelay.
type formsSink struct {
	mails  chan<- *mail.Reader
	refuse bool
}

func (s *formsSink) Mail(string, *smtp.MailOptions) error { return nil }
func (s *formsSink) Rcpt(string, *smtp.RcptOptions) error {
	if s.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	return nil
}
func (s *formsSink) Reset()        {}
func (s *formsSink) Logout() error { return nil }
func (s *formsSink) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	s.mails <- m
	return nil
}

// mailParts returns m's subject, recipients and its text and HTML parts.
func mailParts(t *testing.T, m *mail.Reader) (subject string, to []string, text, html string) {
	t.Helper()
	subject, err := m.Header.Subject()
	if err != nil {
		t.Fatal(err)
	}
	list, err := m.Header.AddressList("To")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		to = append(to, a.Address)
	}
	for {
		p, err := m.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.Header.(*mail.InlineHeader); ok {
			ct, _, _ := h.ContentType()
			switch ct {
			case "text/plain":
				text = string(body)
			case "text/html":
				html = string(body)
			}
		}
	}
	return subject, to, text, html
}
