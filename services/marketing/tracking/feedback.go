package tracking

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// The sources of reports (feedback_reports.source).
const (
	SourceSMTP   = "smtp"
	SourceUpload = "upload"
)

// mailServer is who adds the suppressions of bounces and complaints
// (suppressions.created_by).
const mailServer = "mail server"

// FeedbackResult is what a report did: its kind, its outcome (delivered,
// hard_bounce, soft_bounce, complaint, ignored, or unmatched: no message of
// the tenant's) and the message it was about.
type FeedbackResult struct {
	Kind      string `json:"kind"`
	Outcome   string `json:"outcome"`
	MessageID string `json:"messageId,omitempty"`
}

// Feedback applies raw, a bounce or complaint report uploaded by the
// caller (an operator forwarding one, a provider's webhook through a
// relay), to the caller's tenant's message it names. One that is not a
// report is a problem naming body; one naming no message of the tenant's
// is counted (feedback_reports) and logged, nothing else.
func (s *Service) Feedback(ctx context.Context, raw []byte) (FeedbackResult, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return FeedbackResult{}, err
	}
	r, err := ParseReport(raw)
	if err != nil {
		return FeedbackResult{}, err
	}
	return s.apply(ctx, p.TenantID, r, SourceUpload)
}

// Receive applies raw, a mail the bounce listener received, to the
// message it names, in that message's tenant. A mail that is not a report,
// or names no message of any tenant's, is logged and dropped: the sending
// server is not asked to retry what will never match.
func (s *Service) Receive(ctx context.Context, raw []byte) error {
	r, err := ParseReport(raw)
	if err != nil {
		s.logger.WarnContext(ctx, "bounce listener: a mail that is not a delivery status notification or an abuse report, dropped")
		return nil
	}
	tenant, ok, err := messageTenant(ctx, s.db, r.MessageID, r.SMTPID)
	if err != nil {
		return err
	}
	if !ok {
		s.logger.WarnContext(ctx, "bounce listener: a report for an unknown message, dropped", "kind", r.Kind, "outcome", r.Outcome(),
			"messageId", r.MessageID, "smtpId", r.SMTPID)
		return nil
	}
	_, err = s.apply(ctx, tenant, r, SourceSMTP)
	return err
}

// apply records r, from source, in tenant and does what it means for its
// message: a delivery or a bounce publishes its event once; a hard bounce
// suppresses the address; a complaint suppresses it, publishes
// message.complained and unsubscribes the contact (contact.unsubscribed,
// source complaint); messages.feedback follows (never to a lesser one).
func (s *Service) apply(ctx context.Context, tenant string, r Report, source string) (out FeedbackResult, err error) {
	at := pg.Timestamp(s.now())
	out = FeedbackResult{Kind: r.Kind, Outcome: r.Outcome()}
	err = s.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		m, ok, err := findMessage(ctx, tx, r.MessageID, r.SMTPID)
		if err != nil {
			return err
		}
		rep := reportRow{Kind: r.Kind, Source: source, Outcome: out.Outcome, Detail: clip(r.Detail(), 1000), ReceivedAt: at}
		if !ok {
			out.Outcome, rep.Outcome = OutcomeUnmatched, OutcomeUnmatched
			s.logger.WarnContext(ctx, "feedback for an unknown message: counted, nothing else", "kind", r.Kind,
				"messageId", r.MessageID, "smtpId", r.SMTPID)
			return insertReport(ctx, tx, rep)
		}
		out.MessageID, rep.MessageID = m.ID, &m.ID
		if err := insertReport(ctx, tx, rep); err != nil {
			return err
		}
		return s.applyTo(ctx, tx, m, r, at)
	})
	return out, err
}

// applyTo does what r means for m, at at.
func (s *Service) applyTo(ctx context.Context, tx *outbox.Tx, m message, r Report, at time.Time) error {
	row := eventRow{MessageID: m.ID, Detail: clip(r.Detail(), 1000), At: at}
	ev := eventOf(m, at)
	var verb, fb string
	switch r.Outcome() {
	case OutcomeDelivered:
		row.Kind, verb, fb = "delivered", marketingdb.VerbDelivered, FeedbackDelivered
	case OutcomeHardBounce:
		row.Kind, row.Target, verb, fb = "bounce", "hard", marketingdb.VerbBounced, FeedbackBounced
		ev.BounceType, ev.Reason = "hard", row.Detail
	case OutcomeSoftBounce:
		row.Kind, row.Target, verb, fb = "bounce", "soft", marketingdb.VerbBounced, FeedbackSoftBounced
		ev.BounceType, ev.Reason = "soft", row.Detail
	case OutcomeComplaint:
		row.Kind, verb, fb = "complaint", marketingdb.VerbComplained, FeedbackComplained
		ev.Reason = row.Detail
	default:
		return nil
	}
	first, err := recordEvent(ctx, tx, row)
	if err != nil {
		return err
	}
	if err := setFeedback(ctx, tx, m.ID, fb); err != nil {
		return err
	}
	if first {
		if err := tx.Emit(ctx, marketingdb.EntityMessage, verb, m.ID, ev, nil); err != nil {
			return err
		}
	}
	addr := normalAddress(m.Channel, m.Address)
	switch r.Outcome() {
	case OutcomeHardBounce:
		if _, err := insertSuppression(ctx, tx, Suppression{Channel: m.Channel, Address: addr, Reason: ReasonHardBounce,
			Detail: row.Detail, CreatedBy: mailServer, CreatedAt: at}); err != nil {
			return err
		}
	case OutcomeComplaint:
		ref := Ref{MessageID: m.ID, ContactID: m.ContactID, Channel: m.Channel}
		if m.CampaignID != nil {
			ref.CampaignID = *m.CampaignID
		}
		return s.unsubscribe(ctx, tx, ref, m.Channel, addr, SourceComplaint, ReasonComplaint, row.Detail)
	}
	return nil
}
