package surveys

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/email"
	"github.com/rapport-crm/rapport/services/support/email/mailparse"
	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Bounds of one round of sending: how many tenants it takes on at a time,
// how many surveys one transaction sends.
const (
	sendTenants = 64
	sendBatch   = 50
)

// Sender mails the surveys due, across tenants, through the email
// channel's relay (email.Mailer), and publishes survey.sent for each.
// Surveys are claimed with FOR UPDATE SKIP LOCKED, so every instance runs
// it together.
type Sender struct {
	db     *outbox.DB
	mailer *email.Mailer // nil: no relay, nothing sent
	from   mailparse.Address
	links  Links
	url    string
	logger *slog.Logger
	now    func() time.Time
}

// NewSender returns the Sender on db of cfg's links, mailing through the
// relay of mailCfg (SUPPORT_SMTP_URL) from its sender (SUPPORT_MAIL_FROM);
// without a relay it sends nothing and surveys wait.
func NewSender(db *outbox.DB, cfg Config, mailCfg email.Config, logger *slog.Logger) *Sender {
	s := &Sender{db: db, mailer: email.NewMailer(mailCfg), links: NewLinks(cfg.Key), url: cfg.URL, logger: logger, now: time.Now}
	if a, err := mail.ParseAddress(mailCfg.From); err == nil {
		s.from = mailparse.Address{Name: a.Name, Email: a.Address}
	}
	return s
}

// Run sends the surveys due of every tenant with some, until none is left
// or a round sends nothing (what is left is another instance's).
func (s *Sender) Run(ctx context.Context) error {
	if s.mailer == nil {
		return nil
	}
	for {
		var tenants []string
		if err := s.db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM survey_tenants_due($1)", sendTenants); err != nil {
			return fmt.Errorf("find surveys due: %w", pg.MapError(err))
		}
		round := 0
		for _, tenant := range tenants {
			n, err := s.tenant(ctx, tenant)
			round += n
			if err != nil {
				return err
			}
		}
		if round == 0 || len(tenants) < sendTenants {
			return nil
		}
	}
}

// retryAfter is how long a survey the relay refused waits before it is
// tried again.
const retryAfter = time.Hour

// tenant sends a batch of tenant's surveys due in one transaction and
// returns how many it took on; a survey the relay refuses is logged and
// tried again after retryAfter.
func (s *Sender) tenant(ctx context.Context, tenant string) (n int, err error) {
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		set, err := settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		due, err := dueSurveys(ctx, tx, s.now(), sendBatch)
		if err != nil {
			return err
		}
		n = len(due)
		for i := range due {
			err := s.send(ctx, tx, tenant, set, &due[i])
			if errors.Is(err, ErrRelay) {
				s.logger.WarnContext(ctx, "surveys: a survey could not be mailed; it is tried again later", "tenant", tenant,
					"survey", due[i].ID, "error", err.Error())
				err = postpone(ctx, tx, due[i].ID, pg.Timestamp(s.now().Add(retryAfter)).UTC())
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// send mails the survey v and records it sent.
func (s *Sender) send(ctx context.Context, tx *outbox.Tx, tenant string, set Settings, v *Survey) error {
	now := pg.Timestamp(s.now()).UTC()
	expires := now.AddDate(0, 0, set.ExpiryDays)
	link := s.link(set.PortalSlug, s.links.Sign(tenant, v.ID, expires))
	out := email.Outgoing{From: s.from, To: mailparse.Address{Name: v.Name, Email: v.Address}, AutoReplied: true}
	if v.Kind == KindCSAT {
		out.Subject = fmt.Sprintf("How did we do? [#%d] %s", *v.CaseNumber, v.Subject)
		out.Text = fmt.Sprintf("Your request #%d, %q, was solved.\n\nHow satisfied are you with our support? Tell us in one click "+
			"(valid for %d days):\n%s\n", *v.CaseNumber, v.Subject, set.ExpiryDays, link)
	} else {
		out.Subject = "How likely are you to recommend us?"
		out.Text = fmt.Sprintf("On a scale of 0 to 10, how likely are you to recommend us to a friend or colleague? "+
			"Answer here (valid for %d days):\n%s\n", set.ExpiryDays, link)
	}
	if _, err := s.mailer.Send(out); err != nil {
		return fmt.Errorf("%w: survey %s: %w", ErrRelay, v.ID, err)
	}
	if err := markSent(ctx, tx, v, now, expires); err != nil {
		return err
	}
	return tx.Emit(ctx, supportdb.EntitySurvey, supportdb.VerbSent, v.ID, v, nil)
}

// link is the portal's page of the survey token, on the tenant's slug's
// portal (none: the tenant's own domain's).
func (s *Sender) link(slug, token string) string {
	if slug == "" {
		return s.url + "/portal/surveys/" + token
	}
	return s.url + "/portal/" + slug + "/surveys/" + token
}
