package messaging

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/audience"
	"github.com/rapport-crm/rapport/services/marketing/templates"
	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

// The errors a message fails with.
var (
	// ErrNoRelay is an email with no relay to send it through.
	ErrNoRelay = errs.New(errs.Unavailable, "marketing-no-relay", "no SMTP relay is configured (MARKETING_SMTP_URL)")
	// ErrNoSMS is an SMS with no provider to send it through.
	ErrNoSMS = errs.New(errs.Unavailable, "marketing-no-sms-provider", "no SMS provider is configured (MARKETING_SMS_URL)")
	// ErrNoFrom is an email with no From address.
	ErrNoFrom = errs.New(errs.Unprocessable, "marketing-no-from",
		"no From address: set fromAddress in the marketing settings or MARKETING_MAIL_FROM")
	// errInterrupted is a message whose sender stopped inside the relay's
	// or the provider's transaction: it may have been sent, and is not
	// sent again (at most once).
	errInterrupted = errors.New("interrupted; not retried to avoid a duplicate")
)

// batch is what a claimed batch of one tenant is sent with: its settings,
// the From and domain of its mail, its DKIM key (nil: unsigned), and when
// its claims were last made or renewed.
type batch struct {
	tenant   string
	settings Settings
	from     string
	domain   string
	key      crypto.Signer
	claimed  time.Time
}

// outgoing is a claimed message as it goes out: the mail or the SMS, or
// why it does not (excluded with reason, or failed with err).
type outgoing struct {
	msg    message
	mail   email
	sms    SMS
	reason string
	err    error
}

// prepare renders the claimed messages of b in tx: the contact read again
// from the projection (consent and suppression checked again: they may
// have changed since the send started), the template filled with its
// fields and the links of the message.
func (s *Sender) prepare(ctx context.Context, tx *outbox.Tx, b batch, msgs []message) ([]outgoing, error) {
	suppressed, err := suppressedAmong(ctx, tx, msgs)
	if err != nil {
		return nil, err
	}
	sends, tpls := map[string]sendRow{}, map[string]templates.Template{}
	out := make([]outgoing, len(msgs))
	for i, m := range msgs {
		out[i].msg = m
		if _, ok := sends[m.SendID]; !ok {
			r, err := sendRowIn(ctx, tx, m.SendID, false)
			if err != nil {
				return nil, err
			}
			sends[m.SendID] = r
		}
		tpl := m.SendID + " " + m.Variant // an A/B test's variant has its template (templateFor)
		if _, ok := tpls[tpl]; !ok {
			t, err := templateFor(ctx, tx, sends[m.SendID], m.Variant)
			if err != nil && !errors.Is(err, templates.ErrNotFound) {
				return nil, err
			}
			tpls[tpl] = t
		}
		c, err := audience.LoadContact(ctx, tx.SQL(), m.ContactID)
		switch {
		case errs.KindOf(err) == errs.NotFound:
			out[i].reason = ReasonNoAddress
			continue
		case err != nil:
			return nil, err
		}
		consent := c.EmailConsent
		if m.Channel == templates.ChannelSMS {
			consent = c.SMSConsent
		}
		if out[i].reason = exclusionOf(m.Address, consent, suppressed[m.Channel+" "+m.Address]); out[i].reason == "" {
			s.render(&out[i], b, sends[m.SendID], tpls[tpl], c)
		}
	}
	return out, nil
}

// render fills o's mail or SMS for contact c from template t of send r.
func (s *Sender) render(o *outgoing, b batch, r sendRow, t templates.Template, c audience.Contact) {
	m := o.msg
	if t.ID == "" {
		o.err = templates.ErrNotFound
		return
	}
	ref := tracking.Ref{TenantID: b.tenant, MessageID: m.ID, ContactID: m.ContactID, CampaignID: m.CampaignID.String, Channel: m.Channel}
	send := r.send()
	utm := tracking.UTM{Source: send.UTM.Source, Medium: send.UTM.Medium, Campaign: send.UTM.Campaign, Content: send.UTM.Content}
	fields := c.MergeFields()
	fields["unsubscribeUrl"], fields["preferencesUrl"] = s.cfg.Links.Unsubscribe(ref), s.cfg.Links.Preferences(ref)
	out, err := t.Render(fields)
	switch {
	case errors.Is(err, templates.ErrUnresolved):
		o.reason = ReasonUnresolvedField
		return
	case err != nil:
		o.err = err
		return
	}
	if m.Channel == templates.ChannelSMS {
		o.sms = SMS{To: m.Address, From: b.settings.SMSFrom, Body: s.cfg.Links.ShortenText(out.Body, ref, utm), Key: m.ID}
		return
	}
	if b.from == "" {
		o.err = ErrNoFrom
		return
	}
	name := c.DisplayName
	if name == "" {
		name = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	o.mail = email{MessageID: m.SMTPID, From: b.from, FromName: b.settings.FromName, ReplyTo: b.settings.ReplyTo,
		To: m.Address, ToName: name, Subject: out.Subject, HTML: s.cfg.Links.Decorate(out.HTML, ref, utm),
		Text: s.cfg.Links.ShortenText(out.Text, ref, utm), Unsubscribe: s.cfg.Links.Unsubscribe(ref), TrackingID: m.ID,
		Feedback: fmt.Sprintf("%s:%s:%s:rapport", m.SendID, m.CampaignID.String, b.tenant)}
}

// suppressedAmong reads the suppressions of the addresses of msgs, by
// "<channel> <address>", each with its reason.
func suppressedAmong(ctx context.Context, tx *outbox.Tx, msgs []message) (map[string]string, error) {
	channels, addresses := make(pq.StringArray, len(msgs)), make(pq.StringArray, len(msgs))
	for i, m := range msgs {
		channels[i], addresses[i] = m.Channel, m.Address
	}
	var rows []struct {
		Key    string `db:"key"`
		Reason string `db:"reason"`
	}
	err := tx.SQL().SelectContext(ctx, &rows, `SELECT channel || ' ' || address AS key, reason FROM suppressions
		WHERE (channel, address) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, channels, addresses)
	if err != nil {
		return nil, fmt.Errorf("read suppressions: %w", pg.MapError(err))
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Reason
	}
	return out, nil
}
