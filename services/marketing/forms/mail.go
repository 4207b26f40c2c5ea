package forms

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/rapport-crm/rapport/libs/ids"
)

// errNoRelay is a confirmation mail with no relay to send it through.
var errNoRelay = errors.New("no mail relay (MARKETING_SMTP_URL) is configured")

// relayTimeout bounds dialling the relay and each of its answers: the
// submitter waits for the mail to be handed over.
const relayTimeout = 20 * time.Second

// mailer sends the confirmation mails through the relay of a Config, one
// SMTP transaction each, composed with go-message (headers encoded by the
// library, never by concatenating what a submitter typed).
type mailer struct {
	relay *url.URL // nil: no relay
	from  *mail.Address
}

// newMailer returns the mailer of c.
func newMailer(c Config) mailer {
	m := mailer{from: &mail.Address{Address: c.From}}
	if a, err := mail.ParseAddress(c.From); err == nil {
		m.from = a
	}
	if c.SMTPURL != "" {
		m.relay, _ = url.Parse(c.SMTPURL) // checked by ConfigFromEnv
	}
	return m
}

// letter is a mail to send: its recipient, subject and bodies.
type letter struct {
	To, Subject, Text, HTML string
}

// send composes l and sends it through the relay.
func (m mailer) send(l letter) error {
	if m.relay == nil {
		return errNoRelay
	}
	var h mail.Header
	h.SetDate(time.Now())
	h.SetAddressList("From", []*mail.Address{m.from})
	h.SetAddressList("To", []*mail.Address{{Address: l.To}})
	h.SetSubject(l.Subject)
	h.SetMessageID(ids.New() + "@" + domainOf(m.from.Address))
	h.Set("Auto-Submitted", "auto-generated")
	var buf bytes.Buffer
	if err := compose(&buf, h, l); err != nil {
		return fmt.Errorf("compose the confirmation mail: %w", err)
	}
	c, err := m.dial()
	if err != nil {
		return fmt.Errorf("reach the mail relay: %w", err)
	}
	defer c.Close()
	if u := m.relay.User; u != nil {
		pass, _ := u.Password()
		if err := c.Auth(sasl.NewPlainClient("", u.Username(), pass)); err != nil {
			return fmt.Errorf("log in to the mail relay: %w", err)
		}
	}
	if err := c.SendMail(m.from.Address, []string{l.To}, &buf); err != nil {
		return fmt.Errorf("send the confirmation mail to %s: %w", l.To, err)
	}
	return c.Quit()
}

// dial connects to the relay: over TLS for smtps, else upgraded with
// STARTTLS when the relay offers it.
func (m mailer) dial() (*smtp.Client, error) {
	tlsConfig := &tls.Config{ServerName: m.relay.Hostname()}
	if m.relay.Scheme == "smtps" {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: relayTimeout}, "tcp", m.relay.Host, tlsConfig)
		if err != nil {
			return nil, err
		}
		return timed(smtp.NewClient(conn)), nil
	}
	conn, err := net.DialTimeout("tcp", m.relay.Host, relayTimeout)
	if err != nil {
		return nil, err
	}
	c := timed(smtp.NewClient(conn))
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return c, nil
	}
	_ = c.Close()
	if conn, err = net.DialTimeout("tcp", m.relay.Host, relayTimeout); err != nil {
		return nil, err
	}
	tc, err := smtp.NewClientStartTLS(conn, tlsConfig)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return timed(tc), nil
}

// domainOf is the domain of address ("localhost" for none).
func domainOf(address string) string {
	if i := strings.LastIndexByte(address, '@'); i >= 0 && i < len(address)-1 {
		return address[i+1:]
	}
	return "localhost"
}

// timed bounds c's commands and submission by relayTimeout.
func timed(c *smtp.Client) *smtp.Client {
	c.CommandTimeout, c.SubmissionTimeout = relayTimeout, relayTimeout
	return c
}

// compose writes l under h: its text, and its HTML as the alternative.
func compose(buf *bytes.Buffer, h mail.Header, l letter) error {
	w, err := mail.CreateInlineWriter(buf, h)
	if err != nil {
		return err
	}
	for _, p := range []struct{ typ, body string }{{"text/plain", l.Text}, {"text/html", l.HTML}} {
		var ph mail.InlineHeader
		ph.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
		pw, err := w.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := pw.Write([]byte(p.body)); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return w.Close()
}
