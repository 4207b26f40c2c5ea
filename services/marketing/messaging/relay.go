package messaging

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// relayTimeout bounds dialling the relay and each of its answers.
const relayTimeout = 30 * time.Second

// relay is the SMTP relay of MARKETING_SMTP_URL: smtp://host:port (STARTTLS
// when offered) or smtps://host:port, with credentials in the URL's user
// part.
type relay struct {
	addr     string
	implicit bool        // smtps
	auth     sasl.Client // nil without credentials
}

// The outcomes of an SMTP transaction besides success, what the sender
// does with the message (relayError).
const (
	outcomeRetry     = iota // refused before accepting it (4xx, a broken connection before the end of DATA): tried again later
	outcomeFail             // refused for good (5xx): failed
	outcomeUncertain        // the connection broke after the end of DATA, before the answer: it may have been accepted
)

// relayError is a failed SMTP transaction and what it means for the mail.
type relayError struct {
	outcome int
	broken  bool // the connection is no longer usable
	err     error
}

// Error is the failure's text.
func (e *relayError) Error() string { return e.err.Error() }

// Unwrap is the failure.
func (e *relayError) Unwrap() error { return e.err }

// parseRelay reads MARKETING_SMTP_URL.
func parseRelay(raw string) (*relay, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || u.Port() == "" {
		return nil, fmt.Errorf("%s %q is not smtp://host:port or smtps://host:port", EnvSMTPURL, raw)
	}
	r := &relay{addr: u.Host, implicit: u.Scheme == "smtps"}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		r.auth = sasl.NewPlainClient("", user, pass)
	}
	return r, nil
}

// session is a connection to the relay that carries many mails, one
// transaction after the other.
type session struct {
	c    *smtp.Client
	stop func() bool // stops closing the connection when the context ends
}

// open connects to the relay, greeting it as helo, over TLS when the relay
// offers STARTTLS or the URL is smtps, authenticated when the URL has
// credentials. The connection is closed when ctx ends, so that a stopping
// sender does not wait on the relay.
func (r *relay) open(ctx context.Context, helo string) (*session, error) {
	c, err := r.dial(ctx, helo, false)
	if err != nil {
		return nil, err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !r.implicit {
		_ = c.Close()
		if c, err = r.dial(ctx, helo, true); err != nil {
			return nil, err
		}
	}
	if r.auth != nil {
		if err := c.Auth(r.auth); err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	return &session{c: c, stop: context.AfterFunc(ctx, func() { _ = c.Close() })}, nil
}

// dial connects and greets the relay, with STARTTLS when startTLS.
func (r *relay) dial(ctx context.Context, helo string, startTLS bool) (*smtp.Client, error) {
	d := net.Dialer{Timeout: relayTimeout}
	conn, err := d.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(r.addr)
	var c *smtp.Client
	switch {
	case r.implicit:
		c = smtp.NewClient(tls.Client(conn, &tls.Config{ServerName: host}))
	case startTLS:
		if c, err = smtp.NewClientStartTLS(conn, &tls.Config{ServerName: host}); err != nil {
			_ = conn.Close()
			return nil, err
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout, c.SubmissionTimeout = relayTimeout, relayTimeout
	if err := c.Hello(helo); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// close ends the session (QUIT, then the connection).
func (s *session) close() {
	s.stop()
	_ = s.c.Quit()
	_ = s.c.Close()
}

// send runs one SMTP transaction: the mail raw from from to to. A failure
// is a relayError saying whether the relay may have accepted it; after one
// the session is reset (RSET) for the next mail, or broken.
func (s *session) send(from, to string, raw []byte) error {
	err := s.transaction(from, to, raw)
	var re *relayError
	if errors.As(err, &re) && !re.broken {
		_ = s.c.Reset()
	}
	return err
}

// transaction is send without the reset.
func (s *session) transaction(from, to string, raw []byte) error {
	if err := s.c.Mail(from, nil); err != nil {
		return refused(err)
	}
	if err := s.c.Rcpt(to, nil); err != nil {
		return refused(err)
	}
	w, err := s.c.Data()
	if err != nil {
		return refused(err)
	}
	if _, err := bytes.NewReader(raw).WriteTo(w); err != nil {
		return &relayError{outcome: outcomeRetry, broken: true, err: err} // the end of DATA was not sent
	}
	if err := w.Close(); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return refused(err)
		}
		return &relayError{outcome: outcomeUncertain, broken: true, err: err}
	}
	return nil
}

// refused is the relay's answer err to a command before the end of DATA
// (or to it): a 5xx fails the mail, anything else (a 4xx, a broken
// connection) leaves it to be tried again.
func refused(err error) *relayError {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return &relayError{outcome: outcomeRetry, broken: true, err: err}
	}
	if se.Code >= 500 {
		return &relayError{outcome: outcomeFail, err: err}
	}
	return &relayError{outcome: outcomeRetry, err: err}
}

// line is a worker's connection to the relay, kept from one batch to the
// next.
type line struct{ sess *session }

// session is the line's session, opened (or opened again when the relay
// dropped it while idle) for a batch whose Message-IDs are of domain.
func (l *line) session(ctx context.Context, r *relay, domain string) (*session, error) {
	if l.sess != nil && l.sess.c.Noop() != nil {
		l.hangUp()
	}
	if l.sess == nil {
		sess, err := r.open(ctx, domain)
		if err != nil {
			return nil, err
		}
		l.sess = sess
	}
	return l.sess, nil
}

// hangUp ends the line's session, if any.
func (l *line) hangUp() {
	if l.sess != nil {
		l.sess.close()
		l.sess = nil
	}
}

// Deliver sends one composed mail, raw, from from to to through the relay
// in a session of its own: the mails of other contexts (forms'
// confirmations) that are not a send's messages. ErrNoRelay when none is
// configured.
func (c Config) Deliver(ctx context.Context, from, to string, raw []byte) error {
	if c.Relay == nil {
		return ErrNoRelay
	}
	s, err := c.Relay.open(ctx, domainOf(from))
	if err != nil {
		return err
	}
	defer s.close()
	return s.transaction(from, to, raw)
}
