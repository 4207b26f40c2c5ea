package email

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/email/mailparse"
)

// Receiver takes inbound mail from both entrances (the SMTP listener and
// the webhook) through the one parser: it keeps the raw mail, then
// delivers it into a case — the case its Message-IDs or signed subject
// token thread it to, else a new one — and acknowledges a new case unless
// the mail is automatic.
type Receiver struct {
	db     *outbox.DB
	cases  Cases
	cfg    Config
	tokens Tokens
	mailer *Mailer // nil: nothing is sent
	limits mailparse.Limits
	logger *slog.Logger
	now    func() time.Time
}

// NewReceiver returns the receiver of mail into cases on db; mailer nil
// sends no acknowledgement. attachmentLimit is the attachments' size limit.
func NewReceiver(db *outbox.DB, cases Cases, cfg Config, mailer *Mailer, attachmentLimit int64, logger *slog.Logger) *Receiver {
	limits := mailparse.DefaultLimits
	// A case entry's body holds 1 MiB: the parser's notes get the rest.
	limits.Attachment, limits.Text = attachmentLimit, 1<<20-64<<10
	return &Receiver{db: db, cases: cases, cfg: cfg, tokens: Tokens{key: cfg.TokenKey}, mailer: mailer, limits: limits,
		logger: logger, now: time.Now}
}

// Receipt is what became of a received mail: stored as ID, then delivered
// to CaseID, or failed (Error; the raw mail is kept for a replay). Automatic
// says why the mail was taken for an automatic one; Notes what the parser
// dropped or could not read.
type Receipt struct {
	ID        string   `json:"id"`
	Status    string   `json:"status"`
	CaseID    string   `json:"caseId,omitempty"`
	Automatic string   `json:"automatic,omitempty"`
	Notes     []string `json:"notes"`
	Error     string   `json:"-"`
}

// The statuses of a received mail.
const (
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Receive keeps raw, a mail to rt's mailbox that came through entrance
// ("smtp" or "http"), and delivers it. An error means the mail was not
// kept (the sender should retry); a failed delivery is a Receipt.
func (r *Receiver) Receive(ctx context.Context, rt route, entrance string, raw []byte) (Receipt, error) {
	m := mailparse.Parse(raw, r.limits)
	now := pg.Timestamp(r.now()).UTC()
	in := inbound{ID: ids.New(), MailboxID: &rt.Mailbox, Entrance: entrance, Sender: m.From.Email, MessageID: m.MessageID,
		Raw: raw, ReceivedAt: now}
	var perMinute int
	err := r.db.InTx(ctx, rt.Tenant, func(tx *outbox.Tx) (err error) {
		perMinute, err = storeInbound(ctx, tx, in)
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	auto := automatic(m, r.cfg.domain())
	if auto == "" && m.From.Email != "" && perMinute > r.cfg.SenderPerMinute {
		auto = fmt.Sprintf("a loop: %s sent %d mails within a minute", m.From.Email, perMinute)
	}
	return r.deliverAndMark(ctx, rt, in.ID, m, auto)
}

// deliverAndMark delivers m, the kept mail id, and records what became of
// it.
func (r *Receiver) deliverAndMark(ctx context.Context, rt route, id string, m *mailparse.Message, auto string) (Receipt, error) {
	rec := Receipt{ID: id, Notes: m.Notes, Automatic: auto}
	if rec.Notes == nil {
		rec.Notes = []string{}
	}
	var err error
	rec.CaseID, err = r.deliver(ctx, rt, m, rec.Automatic)
	rec.Status = StatusDelivered
	if err != nil {
		rec.Status, rec.Error = StatusFailed, err.Error()
		r.logger.ErrorContext(ctx, "inbound mail not delivered; it is kept for a replay", "tenant", rt.Tenant, "inbound", id,
			"error", err.Error())
	}
	if rec.Automatic != "" {
		r.logger.InfoContext(ctx, "automatic mail stored, not answered", "tenant", rt.Tenant, "inbound", id, "why", rec.Automatic)
	}
	now := pg.Timestamp(r.now()).UTC()
	return rec, r.db.InTx(ctx, rt.Tenant, func(tx *outbox.Tx) error { return markInbound(ctx, tx, id, rec, now) })
}

// deliver puts m into its case and returns the case's id.
func (r *Receiver) deliver(ctx context.Context, rt route, m *mailparse.Message, auto string) (string, error) {
	caseID, ok, err := r.thread(ctx, rt.Tenant, m)
	if err != nil {
		return "", err
	}
	entry := entryOf(m)
	now := pg.Timestamp(r.now()).UTC()
	if ok {
		if caseID, err = r.cases.Append(ctx, rt.Tenant, caseID, entry); err != nil {
			return "", err
		}
		return caseID, r.db.InTx(ctx, rt.Tenant, func(tx *outbox.Tx) error {
			return recordMessageID(ctx, tx, m.MessageID, caseID, "in", now)
		})
	}
	var mb Mailbox
	err = r.db.InTx(ctx, rt.Tenant, func(tx *outbox.Tx) (err error) {
		mb, err = getMailbox(ctx, tx, rt.Mailbox, false)
		return err
	})
	if err != nil {
		return "", err
	}
	subject := m.Subject
	if strings.TrimSpace(subject) == "" {
		subject = "(no subject)"
	}
	caseID, number, err := r.cases.Open(ctx, rt.Tenant, NewCase{Subject: subject, Priority: mb.DefaultPriority, QueueID: mb.QueueID,
		Entry: entry})
	if err != nil {
		return "", err
	}
	// Replies go where the mail asks them to (Reply-To), else to its author.
	to := m.From
	if len(m.ReplyTo) > 0 && m.ReplyTo[0].Email != "" {
		to = m.ReplyTo[0]
	}
	req := requester{CaseID: caseID, MailboxID: &mb.ID, Address: to.Email, Name: to.Name, Number: number,
		Subject: subject, Automatic: auto != "", CreatedAt: now}
	err = r.db.InTx(ctx, rt.Tenant, func(tx *outbox.Tx) error {
		if err := saveRequester(ctx, tx, req); err != nil {
			return err
		}
		return recordMessageID(ctx, tx, m.MessageID, caseID, "in", now)
	})
	if err != nil {
		return caseID, err
	}
	if auto == "" && mb.AutoAcknowledge && req.Address != "" {
		r.acknowledge(ctx, rt.Tenant, mb, req, m)
	}
	return caseID, nil
}

// thread finds the case m belongs to: by its own Message-ID (a replay of
// a mail delivered before), its In-Reply-To and References (the mails the
// service saw or sent, then the cases' threads), else a signed case token
// in its subject. A token whose signature does not hold is ignored and
// logged.
func (r *Receiver) thread(ctx context.Context, tenant string, m *mailparse.Message) (caseID string, ok bool, err error) {
	refs := append(append([]string{}, m.InReplyTo...), m.References...)
	if m.MessageID != "" {
		refs = append(refs, m.MessageID)
	}
	if len(refs) > 0 {
		err = r.db.InTx(ctx, tenant, func(tx *outbox.Tx) (err error) {
			caseID, ok, err = caseOfMessageIDs(ctx, tx, refs)
			return err
		})
		if err != nil || ok {
			return caseID, ok, err
		}
		if caseID, ok, err = r.cases.ByMessageID(ctx, tenant, refs); err != nil || ok {
			return caseID, ok, err
		}
	}
	number, valid, spoofed := r.tokens.Find(tenant, m.Subject)
	if spoofed {
		r.logger.WarnContext(ctx, "a case token whose signature does not hold: ignored, the mail opens a new case",
			"tenant", tenant, "from", m.From.Email, "subject", m.Subject)
	}
	if !valid {
		return "", false, nil
	}
	return r.cases.ByNumber(ctx, tenant, number)
}

// entryOf is m as a customer's entry, the parser's notes (a dropped
// attachment, a cut body) added to its text.
func entryOf(m *mailparse.Message) Entry {
	text := m.Text
	for _, n := range m.Notes {
		text += "\n\n[" + n + "]"
	}
	if strings.TrimSpace(text) == "" && m.HTML == "" && len(m.Attachments) == 0 {
		text = "(the mail has no text)"
	}
	return Entry{AuthorEmail: m.From.Email, AuthorName: m.From.Name, Text: strings.TrimSpace(text), HTML: m.HTML,
		MessageID: m.MessageID, Attachments: m.Attachments}
}

// acknowledge tells the requester of a new case that it was opened, in the
// mail's thread with the case token; a failure is logged (the case is
// there all the same).
func (r *Receiver) acknowledge(ctx context.Context, tenant string, mb Mailbox, req requester, m *mailparse.Message) {
	if r.mailer == nil {
		return
	}
	out := Outgoing{From: mb.sender(), To: mailparse.Address{Name: req.Name, Email: req.Address},
		Subject: req.Subject + " " + r.tokens.Token(tenant, req.Number),
		Text: fmt.Sprintf("We have received your message and opened case #%d.\n"+
			"Reply to this mail to add to it; please keep the case number in the subject.\n", req.Number),
		InReplyTo: m.MessageID, References: append(m.References, m.MessageID), AutoReplied: true}
	id, err := r.mailer.Send(out)
	if err == nil {
		err = r.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
			return recordMessageID(ctx, tx, id, req.CaseID, "out", pg.Timestamp(r.now()).UTC())
		})
	}
	if err != nil {
		r.logger.WarnContext(ctx, "acknowledgement not sent", "tenant", tenant, "case", req.CaseID, "error", err.Error())
	}
}

// sender is the address the mailbox's mail goes out from.
func (m Mailbox) sender() mailparse.Address {
	return mailparse.Address{Name: m.FromName, Email: m.Address}
}
