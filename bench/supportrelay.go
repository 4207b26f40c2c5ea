package main

import (
	"bytes"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// ackRelay is the go-smtp server the support service relays its outbound
// mail through: it notes when each acknowledgement arrived, by the
// Message-ID its In-Reply-To names.
type ackRelay struct {
	ln  net.Listener
	srv *smtp.Server
	mu  sync.Mutex
	at  map[string]time.Time // In-Reply-To → when the mail was taken
}

// startAckRelay listens on a free local port.
func startAckRelay() (*ackRelay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &ackRelay{ln: ln, at: map[string]time.Time{}}
	r.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }))
	r.srv.Domain, r.srv.AllowInsecureAuth = "relay.bench.test", true
	go r.srv.Serve(ln) //nolint:errcheck // ends with Close
	return r, nil
}

// Addr is the relay's host:port.
func (r *ackRelay) Addr() string { return r.ln.Addr().String() }

// Close stops the relay.
func (r *ackRelay) Close() { r.srv.Close() }

// received returns when the answer to the mail of Message-ID id arrived.
func (r *ackRelay) received(id string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.at[id]
	return t, ok
}

// relaySession is one session of the relay.
type relaySession struct{ r *ackRelay }

func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *relaySession) Reset()                               {}
func (s *relaySession) Logout() error                        { return nil }

// Data notes the mail's In-Reply-To.
func (s *relaySession) Data(body io.Reader) error {
	raw, err := io.ReadAll(body)
	at := time.Now()
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil // not an acknowledgement the bench waits for
	}
	if id := strings.Trim(strings.TrimSpace(m.Header.Get("In-Reply-To")), "<>"); id != "" {
		s.r.mu.Lock()
		s.r.at[id] = at
		s.r.mu.Unlock()
	}
	return nil
}

// rawSMTPServer is the SMTP baseline: a go-smtp server that takes every
// mail and does nothing with it.
type rawSMTPServer struct {
	ln  net.Listener
	srv *smtp.Server
}

// startRawSMTP listens on a free local port.
func startRawSMTP() (*rawSMTPServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &rawSMTPServer{ln: ln, srv: smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return discardSession{}, nil }))}
	s.srv.Domain = "raw.bench.test"
	go s.srv.Serve(ln) //nolint:errcheck // ends with Close
	return s, nil
}

// discardSession reads a mail and forgets it.
type discardSession struct{}

func (discardSession) Mail(string, *smtp.MailOptions) error { return nil }
func (discardSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (discardSession) Reset()                               {}
func (discardSession) Logout() error                        { return nil }
func (discardSession) Data(body io.Reader) error {
	_, err := io.Copy(io.Discard, body)
	return err
}
