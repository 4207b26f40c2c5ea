// Package mailrelay is the client of an SMTP relay the services send their
// mail through: a relay named by a URL (smtp://[user:pass@]host:port, with
// STARTTLS when the relay offers it, or smtps:// for TLS from the start,
// PLAIN login with the URL's credentials), sessions that carry many mails
// one transaction after the other, and each failed transaction classified
// by what it means for its mail (Error): tried again, failed, or perhaps
// delivered. It is built on github.com/emersion/go-smtp.
package mailrelay

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// DefaultTimeout bounds dialling the relay and each of its answers when a
// Relay's Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Relay is an SMTP relay (Parse). Its exported fields may be set before
// its first use.
type Relay struct {
	// Timeout bounds dialling the relay and each of its answers;
	// DefaultTimeout when zero.
	Timeout time.Duration
	// TLS is the configuration of the TLS the session switches to (smtps,
	// STARTTLS); nil: the system's roots, its server name the relay's host.
	TLS *tls.Config

	addr     string
	host     string
	implicit bool        // smtps
	auth     sasl.Client // nil without credentials
}

// Parse reads the relay's URL rawURL, the value of the environment variable
// envName (which a malformed URL's error names, without repeating the URL
// and its credentials): smtp://[user:pass@]host:port or
// smtps://[user:pass@]host:port.
func Parse(rawURL, envName string) (*Relay, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || u.Port() == "" {
		return nil, fmt.Errorf("%s must be smtp://[user:password@]host:port or smtps://[user:password@]host:port", envName)
	}
	r := &Relay{addr: u.Host, host: u.Hostname(), implicit: u.Scheme == "smtps"}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		r.auth = sasl.NewPlainClient("", user, pass)
	}
	return r, nil
}

// Open connects to the relay, greeting it as helo, over TLS when the relay
// offers STARTTLS or the URL is smtps, logged in when the URL has
// credentials. The connection is closed when ctx ends, so that a stopping
// caller does not wait on the relay; the session is the caller's to Close.
func (r *Relay) Open(ctx context.Context, helo string) (*Session, error) {
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
			return nil, fmt.Errorf("log in to the relay: %w", err)
		}
	}
	return &Session{c: c, stop: context.AfterFunc(ctx, func() { _ = c.Close() })}, nil
}

// Deliver sends the composed mail raw from from to to in a session of its
// own, greeting the relay with from's domain: for the occasional mail,
// where a session per mail costs nothing worth saving. Its failure is an
// *Error when the relay refused the mail or the connection broke during
// the transaction.
func (r *Relay) Deliver(ctx context.Context, from, to string, raw []byte) error {
	s, err := r.Open(ctx, domainOf(from))
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Send(from, to, raw)
}

// timeout is the relay's Timeout, or DefaultTimeout.
func (r *Relay) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

// tlsConfig is the TLS configuration of a session: TLS's, with the relay's
// host as the server name unless it names one.
func (r *Relay) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if r.TLS != nil {
		cfg = r.TLS.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = r.host
	}
	return cfg
}

// dial connects and greets the relay, with STARTTLS when startTLS.
func (r *Relay) dial(ctx context.Context, helo string, startTLS bool) (*smtp.Client, error) {
	d := net.Dialer{Timeout: r.timeout()}
	conn, err := d.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return nil, err
	}
	var c *smtp.Client
	switch {
	case r.implicit:
		c = smtp.NewClient(tls.Client(conn, r.tlsConfig()))
	case startTLS:
		if c, err = smtp.NewClientStartTLS(conn, r.tlsConfig()); err != nil {
			_ = conn.Close()
			return nil, err
		}
	default:
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout, c.SubmissionTimeout = r.timeout(), r.timeout()
	if err := c.Hello(helo); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// domainOf is the domain of the address a (bare or with a display name),
// "localhost" when it has none.
func domainOf(a string) string {
	if p, err := mail.ParseAddress(a); err == nil {
		a = p.Address
	}
	if i := strings.LastIndexByte(a, '@'); i >= 0 && i < len(a)-1 {
		return a[i+1:]
	}
	return "localhost"
}
