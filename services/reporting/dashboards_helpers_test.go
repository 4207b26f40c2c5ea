package reporting_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/reporting/dashboards"
)

// doRoles is env.do as u holding roles (the harness's users hold none).
func (e *env) doRoles(u user, roles []string, method, path string, body any, headers ...string) reply {
	e.t.Helper()
	req := contracttest.NewRequest(e.t, method, e.base+path, body, headers...)
	tok, err := e.signer.Sign(auth.Principal{TenantID: u.tenant, UserID: u.id, Roles: roles, Permissions: u.perms, Teams: u.teams,
		RecordScope: map[string]auth.Scope{"reporting": u.scope}}, registry.Reporting, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return reply{e.contract.Do(e.t, req)}
}

// validateOwnEvents waits for an event of each of the verbs of entity
// on the service's own topic and validates them against their schemas
// in api/events.
func (e *env) validateOwnEvents(entity string, verbs ...string) {
	e.t.Helper()
	var evs []events.Event
	for _, v := range verbs {
		evs = append(evs, e.ownEvent("dev.rapport.reporting."+entity+"."+v+".v1"))
	}
	contracttest.ValidateEvents(e.t, "api/events", evs)
}

// createDashboard saves body as u and returns the dashboard.
func (e *env) createDashboard(u user, body map[string]any) dashboards.Dashboard {
	e.t.Helper()
	return contracttest.Decode[dashboards.Dashboard](e.want(e.do(u, http.MethodPost, "/v1/dashboards", body), http.StatusCreated))
}

// createSchedule saves body as u and returns the schedule.
func (e *env) createSchedule(u user, body map[string]any) dashboards.Schedule {
	e.t.Helper()
	return contracttest.Decode[dashboards.Schedule](e.want(e.do(u, http.MethodPost, "/v1/report-schedules", body), http.StatusCreated))
}

// widgetOf is a widget's body: report with params (name, value pairs)
// drawn as chart.
func widgetOf(title, report, chart string, params ...string) map[string]any {
	p := map[string]string{}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = params[i+1]
	}
	return map[string]any{"title": title, "report": report, "params": p, "chart": chart,
		"layout": map[string]int{"x": 0, "y": 0, "w": 6, "h": 4}}
}

// wantFields fails unless r is a 400 naming exactly fields, each reason
// containing the matching want (when not "").
func wantFields(t *testing.T, r reply, fields []string, reasons ...string) {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 naming %v: %s", r.Status, fields, r.Raw)
	}
	got := contracttest.Decode[problemBody](r).Errors
	if len(got) != len(fields) {
		t.Fatalf("fields %v, want %v: %s", r.fields(), fields, r.Raw)
	}
	for i, f := range got {
		if f.Field != fields[i] {
			t.Errorf("field %d %q, want %q: %s", i, f.Field, fields[i], r.Raw)
		}
		if i < len(reasons) && !strings.Contains(f.Reason, reasons[i]) {
			t.Errorf("%s's reason %q does not say %q", f.Field, f.Reason, reasons[i])
		}
	}
}

// mailSink is an SMTP server in the test (go-smtp) that keeps every mail
// it accepts.
type mailSink struct {
	mu    sync.Mutex
	mails []sunkMail
	addr  string
}

// sunkMail is a mail the sink accepted, for one recipient.
type sunkMail struct {
	From, To string
	Raw      []byte
}

// newMailSink starts a sink for the test's life and points
// REPORTING_SMTP_URL at it, with REPORTING_MAIL_FROM (services started
// after read them).
func newMailSink(t *testing.T) *mailSink {
	t.Helper()
	k := &mailSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{k: k}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "sink.test", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	k.addr = ln.Addr().String()
	t.Setenv(dashboards.EnvSMTPURL, "smtp://"+k.addr)
	t.Setenv(dashboards.EnvMailFrom, "Rapport reports <reports@example.com>")
	return k
}

// received returns the mails accepted so far.
func (k *mailSink) received() []sunkMail {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]sunkMail(nil), k.mails...)
}

// sinkSession is one SMTP conversation with the sink.
type sinkSession struct {
	k        *mailSink
	from, to string
}

// Mail takes any sender.
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }

// Rcpt takes any recipient (the sender names one per mail).
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }

// Reset forgets the mail begun.
func (s *sinkSession) Reset() { s.from, s.to = "", "" }

// Logout ends the session.
func (s *sinkSession) Logout() error { return nil }

// Data keeps the mail.
func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.k.mu.Lock()
	s.k.mails = append(s.k.mails, sunkMail{From: s.from, To: s.to, Raw: raw})
	s.k.mu.Unlock()
	return nil
}

// mailPart is an attachment of a mail, or its text (Name "").
type mailPart struct {
	Name, ContentType string
	Data              []byte
}

// readMail parses raw (go-message): its subject and its parts.
func readMail(t *testing.T, raw []byte) (string, []mailPart) {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := r.Header.Subject()
	if err != nil {
		t.Fatal(err)
	}
	var parts []mailPart
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		var mp mailPart
		if h, ok := p.Header.(*mail.AttachmentHeader); ok {
			mp.Name, _ = h.Filename()
			mp.ContentType, _, _ = h.ContentType()
		}
		mp.Data = data
		parts = append(parts, mp)
	}
	return subject, parts
}
