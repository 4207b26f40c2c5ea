package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// inbox is a real SMTP server (go-smtp) keeping what it receives; its first
// failFirst messages are refused with a temporary error.
type inbox struct {
	mu        sync.Mutex
	msgs      []received
	failFirst int
	url       string // smtp://host:port
}

// received is one message the server accepted.
type received struct {
	to            []string
	subject, text string
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: b}, nil }

type session struct {
	box *inbox
	to  []string
}

func (s *session) Reset()                                    { s.to = nil }
func (s *session) Logout() error                             { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }

func (s *session) Data(r io.Reader) error {
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	if s.box.failFirst > 0 {
		s.box.failFirst--
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return err
	}
	body := io.Reader(m.Body)
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	s.box.msgs = append(s.box.msgs, received{to: s.to, subject: subject, text: string(bytes.TrimSpace(text))})
	return nil
}

// newInbox runs an SMTP server refusing its first failFirst messages until
// the test ends.
func newInbox(t *testing.T, failFirst int) *inbox {
	t.Helper()
	box := &inbox{failFirst: failFirst}
	box.url = startSMTP(t, box)
	return box
}

// startSMTP runs the SMTP server until the test ends and returns its URL.
func startSMTP(t *testing.T, box *inbox) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("smtp: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close(); <-done })
	return "smtp://" + l.Addr().String()
}

// messages waits until box holds want messages and returns them.
func (b *inbox) messages(t *testing.T, want int) []received {
	t.Helper()
	var out []received
	testkit.Eventually(t, 20*time.Second, "emails", func() (bool, string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		out = append([]received(nil), b.msgs...)
		return len(out) == want, strings.Repeat("✉", len(out))
	})
	return out
}

// startSender runs a Sender of e's queue through a Mailer of the SMTP
// server at url until the test ends (or stop, the function it returns,
// is called), with cfg's quiet logger.
func (e *env) startSender(t *testing.T, url string, cfg SenderConfig) (stop func()) {
	t.Helper()
	mailer, err := NewMailer(MailerConfig{URL: url, From: "Rapport <noreply@rapport.test>", PublicURL: "https://crm.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger = quiet
	if cfg.Poll == 0 {
		cfg.Poll = 20 * time.Millisecond
	}
	return run(t, func(ctx context.Context) error { NewSender(e.app, mailer, cfg).Run(ctx); return nil })
}

// TestEmail checks the emails by preference: a zh-CN user gets hers in
// Chinese with the time in her zone and the link, after the server
// refused the first try; a user who turned a kind's email off gets none
// (but the notification in the console), one who turned the console off
// gets the email only.
func TestEmail(t *testing.T) {
	e := newEnv(t)
	box := newInbox(t, 1)
	e.startSender(t, box.url, SenderConfig{Backoff: 50 * time.Millisecond})
	li := e.user(t, e.tenantA, "李娜", "li@example.com", "zh-CN", "active")
	ann := e.user(t, e.tenantA, "Ann", "ann@example.com", "en", "active")
	bob := e.user(t, e.tenantA, "Bob", "bob@example.com", "en", "active")
	if _, err := e.store.SetPreferences(t.Context(), e.tenantA, ann, []Preference{{Kind: KindLeadAssigned, InApp: true, Email: false}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetPreferences(t.Context(), e.tenantA, bob, []Preference{{Kind: KindLeadAssigned, InApp: false, Email: true}}); err != nil {
		t.Fatal(err)
	}
	e.startConsumer(t, true)

	e.publish(t, e.tenantA, TypeReminderDue, reminderPayload(li, time.Date(2026, 12, 6, 12, 30, 0, 0, time.UTC)))
	e.publish(t, e.tenantA, TypeLeadAssigned, leadPayload(ann, ""))
	e.publish(t, e.tenantA, TypeLeadAssigned, leadPayload(bob, ""))
	msgs := box.messages(t, 2)
	e.wait(t, e.tenantA, ann, 1)
	e.wait(t, e.tenantA, bob, 0)
	byTo := map[string]received{}
	for _, m := range msgs {
		byTo[strings.Join(m.to, ",")] = m
	}
	zh := byTo["li@example.com"]
	if zh.subject != "提醒：Call Li Wei back" || !strings.Contains(zh.text, "将于 2026-12-06 20:30 CST 到期") || !strings.HasSuffix(zh.text, "https://crm.example.com/") {
		t.Errorf("the zh-CN email: %+v", zh)
	}
	if en := byTo["bob@example.com"]; en.subject != "Lead assigned to you: Ada Lovelace" || !strings.HasPrefix(en.text, "The lead Ada Lovelace is now yours.") || !strings.Contains(en.text, "https://crm.example.com/leads/") {
		t.Errorf("bob's email: %+v", en)
	}
	if _, ok := byTo["ann@example.com"]; ok {
		t.Errorf("ann turned the email of leads off but got one")
	}
}
