package stack

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is a message the support or marketing service sent through the
// stack's relay.
type Mail struct {
	To      []string    // the envelope's recipients
	Header  mail.Header // the message's header as sent
	Subject string      // decoded
	Text    string      // the text/plain body, its transfer encoding undone
	HTML    string      // the text/html body, the same way; "" without one
}

// mailSink is the relay the support and marketing services send their mail
// to: an in-process SMTP server that keeps every message.
type mailSink struct {
	addr string

	mu    sync.Mutex
	mails []Mail
}

// startMailSink starts the relay on a free local port and stops it when
// the test ends.
func startMailSink(t testing.TB) *mailSink {
	t.Helper()
	sink := &mailSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: sink}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "relay.e2e.test", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return sink
}

// MailTo waits up to timeout for a mail to address whose text contains
// want, and returns it; the test fails without one.
func (s *Stack) MailTo(t testing.TB, address, want string, timeout time.Duration) Mail {
	t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(100 * time.Millisecond) {
		s.mail.mu.Lock()
		for _, m := range s.mail.mails {
			for _, to := range m.To {
				if strings.EqualFold(to, address) && strings.Contains(m.Text, want) {
					s.mail.mu.Unlock()
					return m
				}
			}
		}
		n := len(s.mail.mails)
		s.mail.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s with %q within %s (%d mails sent)", address, want, timeout, n)
		}
	}
}

// sinkSession is one SMTP session of the relay.
type sinkSession struct {
	sink *mailSink
	to   []string
}

// Mail takes any sender.
func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }

// Rcpt notes a recipient of the envelope.
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

// Reset forgets the envelope's recipients.
func (s *sinkSession) Reset() { s.to = nil }

// Logout ends the session.
func (s *sinkSession) Logout() error { return nil }

// Data keeps the message with its header and its text/plain and text/html
// parts, decoded.
func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		subject = m.Header.Get("Subject")
	}
	body, err := io.ReadAll(m.Body)
	if err != nil {
		return err
	}
	part := func(media string) string {
		return partOf(media, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), bytes.NewReader(body))
	}
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	s.sink.mails = append(s.sink.mails, Mail{To: s.to, Header: m.Header, Subject: subject, Text: part("text/plain"), HTML: part("text/html")})
	s.to = nil
	return nil
}

// partOf is the first body of media type want of a part of contentType,
// looked for through nested multiparts, its transfer encoding undone; ""
// when it has none.
func partOf(want, contentType, encoding string, body io.Reader) string {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return ""
			}
			if text := partOf(want, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); text != "" {
				return text
			}
		}
	}
	if mediaType != want {
		return ""
	}
	data, _ := io.ReadAll(body)
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		if out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(data))); err == nil {
			return string(out)
		}
	case "base64":
		if out, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), "")); err == nil {
			return string(out)
		}
	}
	return string(data)
}
