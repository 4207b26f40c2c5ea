package email

import (
	"log/slog"
	"slices"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/attachments"
)

// Channel is the email channel as the service runs it: the mailboxes'
// and the webhook's routes, the consumer sending agents' replies, and the
// SMTP listener when SUPPORT_SMTP_ADDR is set.
type Channel struct {
	cfg       Config
	mailboxes *Mailboxes
	receiver  *Receiver
	replies   *Replies
	logger    *slog.Logger
}

// NewChannel reads the channel's configuration through getenv and builds
// it on db and cases.
func NewChannel(db *outbox.DB, cases Cases, getenv func(string) string, logger *slog.Logger) (*Channel, error) {
	cfg, err := ParseConfig(getenv)
	if err != nil {
		return nil, err
	}
	mailer := NewMailer(cfg)
	return &Channel{cfg: cfg, mailboxes: NewMailboxes(db), receiver: NewReceiver(db, cases, cfg, mailer, attachments.DefaultLimit, logger),
		replies: NewReplies(db, attachments.NewDBStore(attachments.DefaultLimit), cfg, mailer, logger), logger: logger}, nil
}

// Routes are the channel's routes.
func (c *Channel) Routes() []starter.Route {
	return slices.Concat(MailboxRoutes(c.mailboxes), InboundRoutes(c.receiver))
}

// Consumer is the consumer of the service's own topic that sends agents'
// replies by mail.
func (c *Channel) Consumer() starter.Consumer { return c.replies.Consumer() }

// Servers are the SMTP listener, when SUPPORT_SMTP_ADDR is set.
func (c *Channel) Servers() []starter.Server {
	if c.cfg.SMTPAddr == "" {
		return nil
	}
	return []starter.Server{SMTPServer(c.cfg, c.receiver, c.logger)}
}
