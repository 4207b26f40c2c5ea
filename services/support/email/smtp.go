package email

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

// smtpTimeout bounds a step of an SMTP session, and the work on a mail.
const smtpTimeout = time.Minute

// SMTPServer is the inbound SMTP listener on cfg.SMTPAddr, as a starter
// Server: a recipient is accepted only when it is a support mailbox (550
// otherwise), a mail larger than cfg.MaxBytes is refused at DATA (552),
// and each accepted mail goes to r once per recipient's mailbox.
func SMTPServer(cfg Config, r *Receiver, logger *slog.Logger) starter.Server {
	return starter.Server{Name: "smtp", Run: func(ctx context.Context) error {
		ln, err := net.Listen("tcp", cfg.SMTPAddr)
		if err != nil {
			return err
		}
		base := context.WithoutCancel(ctx)
		s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
			return &session{ctx: base, r: r, logger: logger}, nil
		}))
		s.Domain, s.MaxMessageBytes, s.MaxRecipients = cfg.domain(), cfg.MaxBytes, 50
		s.ReadTimeout, s.WriteTimeout = smtpTimeout, smtpTimeout
		s.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
		done := make(chan error, 1)
		go func() { done <- s.Serve(ln) }()
		logger.Info("SMTP listening", "addr", ln.Addr().String())
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
		}
		stop, cancel := context.WithTimeout(base, starter.ShutdownTimeout)
		defer cancel()
		if err := s.Shutdown(stop); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			return err
		}
		return nil
	}}
}

// session is one SMTP conversation: the routes of its recipients.
type session struct {
	ctx    context.Context
	r      *Receiver
	logger *slog.Logger
	routes []route
}

// The answers of the listener beside go-smtp's own (552 at DATA for a mail
// too large).
var (
	errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such support mailbox"}
	errTryLater  = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	errNoRcpt    = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "No valid recipients"}
)

// Mail starts a mail: any envelope sender is taken (the mail's own From
// is its author).
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }

// Rcpt accepts to when it is a support mailbox.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(s.ctx, smtpTimeout)
	defer cancel()
	rt, ok, err := routeOf(ctx, s.r.db.Pool(), to)
	if err != nil {
		s.logger.ErrorContext(ctx, "SMTP recipient not looked up", "error", err.Error())
		return errTryLater
	}
	if !ok {
		return errNoMailbox
	}
	for _, have := range s.routes {
		if have == rt {
			return nil
		}
	}
	s.routes = append(s.routes, rt)
	return nil
}

// Data reads the mail (go-smtp refuses it past MaxMessageBytes with 552)
// and gives it to the receiver once per mailbox; a mail not kept is
// refused with 451, for the sender to retry.
func (s *session) Data(body io.Reader) error {
	if len(s.routes) == 0 {
		return errNoRcpt
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(s.ctx, smtpTimeout)
	defer cancel()
	for _, rt := range s.routes {
		if _, err := s.r.Receive(ctx, rt, "smtp", raw); err != nil {
			s.logger.ErrorContext(ctx, "inbound mail not kept; the sender is told to retry", "tenant", rt.Tenant, "error", err.Error())
			return errTryLater
		}
	}
	return nil
}

// Reset forgets the recipients.
func (s *session) Reset() { s.routes = nil }

// Logout ends the session.
func (s *session) Logout() error { return nil }
