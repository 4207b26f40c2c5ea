package notify

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Mail is one email of a notification, as the Sender hands it to the
// Mailer.
type Mail struct {
	To, Name         string // the recipient's address and name
	Locale, TimeZone string // the recipient's, for the language and times
	Kind             Kind
	Params           map[string]string
	Link             string // the console path
}

// MailerConfig configures a Mailer. URL (smtp://user:pass@host:port, or
// smtps:// for TLS from the start) and From are required.
type MailerConfig struct {
	URL       string
	From      string
	PublicURL string // the console's origin, for the links in the emails
}

// Mailer sends the notifications' emails over SMTP, each in its
// recipient's language; the Sender retries those it fails to send.
type Mailer struct {
	cfg    MailerConfig
	client *mail.Client
}

// NewMailer checks cfg and returns a Mailer.
func NewMailer(cfg MailerConfig) (*Mailer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return nil, fmt.Errorf("the SMTP URL must be smtp://[user:password@]host[:port] or smtps://…")
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("the sender address (GATEWAY_MAIL_FROM) is required")
	}
	if err := mail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("the sender address %q is not an email address: %v", cfg.From, err)
	}
	opts := []mail.Option{mail.WithTimeout(15 * time.Second), mail.WithTLSPolicy(mail.TLSOpportunistic)}
	port := 25
	if u.Scheme == "smtps" {
		opts, port = append(opts, mail.WithSSL()), 465
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("the SMTP URL's port %q is not a number", p)
		}
	}
	opts = append(opts, mail.WithPort(port))
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(user), mail.WithPassword(pass))
	}
	client, err := mail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client: %w", err)
	}
	return &Mailer{cfg: cfg, client: client}, nil
}

// Send sends msg once.
func (m *Mailer) Send(ctx context.Context, msg Mail) error {
	subject, text := msg.Kind.render(emailLanguage(msg.Locale), localTimes(msg.Params, msg.TimeZone))
	if m.cfg.PublicURL != "" && msg.Link != "" {
		text += "\n\n" + strings.TrimSuffix(m.cfg.PublicURL, "/") + msg.Link
	}
	e := mail.NewMsg()
	if err := e.From(m.cfg.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := e.AddToFormat(msg.Name, msg.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	e.Subject(subject)
	e.SetBodyString(mail.TypeTextPlain, text)
	return m.client.DialAndSendWithContext(ctx, e)
}

// localTimes returns params with every RFC 3339 time shown in the time
// zone tz (UTC when tz is unknown), as "2006-01-02 15:04 MST".
func localTimes(params map[string]string, tz string) map[string]string {
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	out := make(map[string]string, len(params))
	for k, v := range params {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			v = t.In(loc).Format("2006-01-02 15:04 MST")
		}
		out[k] = v
	}
	return out
}
