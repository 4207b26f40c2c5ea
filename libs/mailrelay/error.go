package mailrelay

import (
	"errors"

	"github.com/emersion/go-smtp"
)

// Outcome is what a failed SMTP transaction means for its mail.
type Outcome int

// The outcomes of a failed transaction.
const (
	// Retry: the relay did not take the mail (a 4xx answer, or the
	// connection broke before the end of DATA); it may be tried again.
	Retry Outcome = iota
	// Fail: the relay refused the mail for good (a 5xx answer).
	Fail
	// Uncertain: the connection broke after the end of DATA, before the
	// relay's answer; the mail may have been accepted, so sending it again
	// may deliver it twice.
	Uncertain
)

// Error is a failed SMTP transaction (Session.Send, Relay.Deliver): what it
// means for the mail, and whether the session's connection is no longer
// usable.
type Error struct {
	Outcome Outcome
	Broken  bool
	Err     error
}

// Error is the failure's text.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap is the failure (an *smtp.SMTPError for the relay's answers).
func (e *Error) Unwrap() error { return e.Err }

// refused is the relay's answer err to a command before the end of DATA
// (or to it): a 5xx fails the mail, anything else (a 4xx, a broken
// connection) leaves it to be tried again.
func refused(err error) *Error {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return &Error{Outcome: Retry, Broken: true, Err: err}
	}
	if se.Code >= 500 {
		return &Error{Outcome: Fail, Err: err}
	}
	return &Error{Outcome: Retry, Err: err}
}
