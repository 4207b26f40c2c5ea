package support_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/testkit"
)

func init() {
	// The webhook's body is a raw mail: the contract checks it as a file.
	openapi3filter.RegisterBodyDecoder("message/rfc822", openapi3filter.FileBodyDecoder)
}

// mailEnv is the service with its email channel: its SMTP listener
// (listener) and, as the relay of its outbound mail, a go-smtp server
// whose mails arrive on sent.
type mailEnv struct {
	*env
	listener string
	sent     chan *mail.Reader
}

// newMailEnv starts a relay, then the service with SUPPORT_SMTP_* set.
func newMailEnv(t *testing.T) *mailEnv {
	sent := make(chan *mail.Reader, 100)
	relay := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sink{sent: sent}, nil }))
	relay.Domain, relay.AllowInsecureAuth = "relay.test", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = relay.Serve(ln) }()
	t.Cleanup(func() { _ = relay.Close() })
	listener := freeAddr(t)
	t.Setenv("SUPPORT_SMTP_ADDR", listener)
	t.Setenv("SUPPORT_SMTP_URL", "smtp://"+ln.Addr().String())
	t.Setenv("SUPPORT_MAIL_FROM", "Rapport Support <support@rapport.test>")
	e := &mailEnv{env: newEnv(t), listener: listener, sent: sent}
	for i := 0; ; i++ { // the listener starts beside the HTTP server
		c, err := net.Dial("tcp", listener)
		if err == nil {
			c.Close()
			break
		}
		if i == 200 {
			t.Fatalf("the SMTP listener is not listening: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return e
}

// freeAddr is a local address nothing listens on.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// sink is a session of the relay: each mail it takes goes to sent.
type sink struct{ sent chan<- *mail.Reader }

func (s *sink) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sink) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *sink) Reset()                               {}
func (s *sink) Logout() error                        { return nil }
func (s *sink) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	s.sent <- m
	return nil
}

// smtpSend sends raw from from to to through the service's listener; the
// error is the listener's answer.
func (e *mailEnv) smtpSend(from string, to []string, raw string) error {
	c, err := smtp.Dial(e.listener)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, strings.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

// smtpCode is the SMTP reply code of err, 0 when it is none.
func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// nextSent is the next mail the service sent, failing the test after a
// minute without one.
func (e *mailEnv) nextSent() *mail.Reader {
	e.t.Helper()
	select {
	case m := <-e.sent:
		return m
	case <-time.After(time.Minute):
		e.t.Fatal("the service sent no mail")
		return nil
	}
}

// noneSent fails the test when the service sent a mail not taken yet.
func (e *mailEnv) noneSent() {
	e.t.Helper()
	select {
	case m := <-e.sent:
		subject, _ := m.Header.Subject()
		e.t.Errorf("the service sent %q", subject)
	default:
	}
}

// caseOf is the case an inbound mail with Message-ID id landed on.
func (e *mailEnv) caseOf(messageID string) string {
	e.t.Helper()
	var id string
	if err := e.admin.Get(&id, `SELECT case_id FROM inbound_messages WHERE message_id = $1 AND status = 'delivered'`, messageID); err != nil {
		e.t.Fatalf("the mail %s is not delivered: %v", messageID, err)
	}
	return id
}

// recorded waits until the mail the service sent with Message-ID id is
// recorded in its case's thread (the sender records it in a transaction
// after the relay took the mail, which the test's relay may deliver
// first): a customer's answer to it is threaded from then on.
func (e *mailEnv) recorded(messageID string) {
	e.t.Helper()
	testkit.Eventually(e.t, 10*time.Second, "the sent mail "+messageID+" recorded", func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, `SELECT count(*) FROM email_message_ids WHERE message_id = $1 AND direction = 'out'`, messageID); err != nil {
			return false, err.Error()
		}
		return n == 1, fmt.Sprintf("%d rows", n)
	})
}

// kase is what the email tests read of a case.
type kase struct {
	ID      string `json:"id"`
	Number  int64  `json:"number"`
	Subject string `json:"subject"`
	Channel string `json:"channel"`
}

// entry is what the email tests read of an entry of a case's thread.
type entry struct {
	AuthorType  string `json:"authorType"`
	AuthorEmail string `json:"authorEmail"`
	AuthorName  string `json:"authorName"`
	BodyText    string `json:"bodyText"`
	BodyHTML    string `json:"bodyHtml"`
	MessageID   string `json:"messageId"`
	Attachments []struct {
		Name string `json:"name"`
	} `json:"attachments"`
}

// getCase and entries read a case and its thread as u.
func (e *mailEnv) getCase(u user, id string) kase {
	e.t.Helper()
	return contracttest.Decode[kase](e.want(e.do(u, "GET", "/v1/cases/"+id, nil), 200))
}

func (e *mailEnv) entries(u user, id string) []entry {
	e.t.Helper()
	return contracttest.Decode[struct{ Items []entry }](e.want(e.do(u, "GET", "/v1/cases/"+id+"/entries?limit=200", nil), 200)).Items
}

// msg is a mail as a customer's client writes it: headers (name, value
// pairs, in order) and a UTF-8 text body.
func msg(body string, headers ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(headers); i += 2 {
		b.WriteString(headers[i] + ": " + headers[i+1] + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	if !strings.Contains(b.String(), "Content-Type:") {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	}
	return b.String() + "\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
}

// newTenant is a user of a new tenant with a mailbox at address.
func (e *mailEnv) newTenant(address string) user {
	u := newUser(uuid.NewString())
	createMailbox(e.env, u, map[string]any{"address": address, "fromName": "Acme Support", "isDefault": true})
	return u
}

// mid is a fresh Message-ID of a customer's domain, without brackets.
func mid(n int) string {
	return "m" + strconv.Itoa(n) + "-" + uuid.NewString()[:8] + "@customer.example"
}
