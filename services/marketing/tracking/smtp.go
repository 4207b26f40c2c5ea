package tracking

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rapport-crm/rapport/libs/starter"
)

// EnvBounceAddr is the environment variable of the bounce listener's
// address (host:port); unset, there is none.
const EnvBounceAddr = "MARKETING_BOUNCE_SMTP_ADDR"

// smtpTimeout bounds a step of an SMTP session, and the work on a report.
const smtpTimeout = time.Minute

// maxRecipients bounds the recipients of one bounce.
const maxRecipients = 50

// errTryLater is the listener's answer when a report could not be kept.
var errTryLater = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}

// Servers are the bounce and complaint listener on
// MARKETING_BOUNCE_SMTP_ADDR (github.com/emersion/go-smtp), when it is
// set: the relay's DSNs and the mailbox providers' ARF reports are mailed
// to it, whatever the recipient, and each goes to s.Receive.
func (s *Service) Servers(getenv func(string) string) []starter.Server {
	addr := getenv(EnvBounceAddr)
	if addr == "" {
		return nil
	}
	return []starter.Server{{Name: "bounce-smtp", Run: func(ctx context.Context) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		return s.serveSMTP(ctx, ln)
	}}}
}

// serveSMTP serves the bounce listener on ln until ctx ends.
func (s *Service) serveSMTP(ctx context.Context, ln net.Listener) error {
	base := context.WithoutCancel(ctx)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{ctx: base, s: s, logger: s.logger}, nil
	}))
	srv.Domain, srv.MaxMessageBytes, srv.MaxRecipients = "localhost", maxReport, maxRecipients
	srv.ReadTimeout, srv.WriteTimeout = smtpTimeout, smtpTimeout
	srv.ErrorLog = slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	s.logger.Info("bounce SMTP listening", "addr", ln.Addr().String())
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(base, starter.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return err
	}
	return nil
}

// session is one SMTP conversation of the bounce listener.
type session struct {
	ctx    context.Context
	s      *Service
	logger *slog.Logger
}

// Mail starts a mail: bounces come from the null sender, complaints from
// the providers; any is taken.
func (*session) Mail(string, *smtp.MailOptions) error { return nil }

// Rcpt accepts any recipient: the listener is for bounces only.
func (*session) Rcpt(string, *smtp.RcptOptions) error { return nil }

// Data reads the mail (go-smtp refuses it past MaxMessageBytes with 552)
// and applies it; one that could not be kept is refused with 451, for the
// sender to retry.
func (ss *session) Data(body io.Reader) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ss.ctx, smtpTimeout)
	defer cancel()
	if err := ss.s.Receive(ctx, raw); err != nil {
		ss.logger.ErrorContext(ctx, "bounce not kept; the sender is told to retry", "error", err.Error())
		return errTryLater
	}
	return nil
}

// Reset forgets the mail.
func (*session) Reset() {}

// Logout ends the session.
func (*session) Logout() error { return nil }
