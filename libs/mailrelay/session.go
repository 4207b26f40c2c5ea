package mailrelay

import (
	"bytes"
	"errors"

	"github.com/emersion/go-smtp"
)

// Session is a connection to the relay (Relay.Open) that carries many
// mails, one transaction after the other. It is not safe for concurrent
// use.
type Session struct {
	c    *smtp.Client
	stop func() bool // stops closing the connection when the context ends
}

// Send runs one SMTP transaction: the composed mail raw from from to to. A
// failure is an *Error saying what it means for the mail; after one that
// is not Broken the session is reset (RSET) for the next mail.
func (s *Session) Send(from, to string, raw []byte) error {
	err := s.transaction(from, to, raw)
	var re *Error
	if errors.As(err, &re) && !re.Broken {
		_ = s.c.Reset()
	}
	return err
}

// Noop checks that the relay still answers (NOOP): a session kept idle
// between mails may have been dropped by the relay.
func (s *Session) Noop() error { return s.c.Noop() }

// Close ends the session (QUIT, then the connection).
func (s *Session) Close() {
	s.stop()
	_ = s.c.Quit()
	_ = s.c.Close()
}

// transaction is Send without the reset.
func (s *Session) transaction(from, to string, raw []byte) error {
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
		return &Error{Outcome: Retry, Broken: true, Err: err} // the end of DATA was not sent
	}
	if err := w.Close(); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return refused(err)
		}
		return &Error{Outcome: Uncertain, Broken: true, Err: err}
	}
	return nil
}
