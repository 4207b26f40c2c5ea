package portal

import (
	"log/slog"
	"net/mail"
	"time"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/outbox"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/email"
	"github.com/rapport-crm/rapport/services/support/email/mailparse"
	"github.com/rapport-crm/rapport/services/support/kb"
)

// Service is the portal: the knowledge base's public articles, and the
// cases customers submit and follow. Every method runs for the tenant of
// the caller's principal (the gateway's portal principal).
type Service struct {
	db       *outbox.DB
	cases    *cases.Service
	kb       *kb.Store
	feedback kb.Service
	files    *attachments.Service
	links    Links
	url      string
	perHour  int
	mailer   *email.Mailer // nil: no relay, no mail
	from     mailparse.Address
	logger   *slog.Logger
	now      func() time.Time
}

// New returns the portal on db, opening and following cases through cs,
// reading articles through store and recording feedback through
// articles; its links are mailed through the email channel's relay
// (email.Config: SUPPORT_SMTP_URL, from SUPPORT_MAIL_FROM), and not at all
// without one.
func New(db *outbox.DB, cs *cases.Service, store *kb.Store, articles kb.Service, cfg Config, mailCfg email.Config,
	logger *slog.Logger) (*Service, error) {
	links, err := NewLinks(cfg.Key)
	if err != nil {
		return nil, err
	}
	s := &Service{db: db, cases: cs, kb: store, feedback: articles, files: attachments.NewService(db, attachments.NewDBStore(attachments.DefaultLimit)), links: links, url: cfg.URL, perHour: cfg.CasesPerHour,
		mailer: email.NewMailer(mailCfg), logger: logger, now: time.Now}
	if a, err := mail.ParseAddress(mailCfg.From); err == nil {
		s.from = mailparse.Address{Name: a.Name, Email: a.Address}
	}
	if s.perHour < 1 {
		s.perHour = 5
	}
	return s, nil
}

// Links returns the signer of the cases' links.
func (s *Service) Links() Links { return s.links }

// FromEnv returns the portal on db as the service runs it: its
// configuration (ParseConfig) and the email channel's (email.ParseConfig)
// read through getenv, cases and the knowledge base on db.
func FromEnv(db *outbox.DB, cursors *kitx.Cursors, getenv func(string) string, logger *slog.Logger) (*Service, error) {
	cfg, err := ParseConfig(getenv)
	if err != nil {
		return nil, err
	}
	mailCfg, err := email.ParseConfig(getenv)
	if err != nil {
		return nil, err
	}
	store := kb.NewStore(db)
	return New(db, cases.NewService(db, cursors), store, kb.NewService(store, cursors), cfg, mailCfg, logger)
}
