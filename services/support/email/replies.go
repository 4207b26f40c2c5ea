package email

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/email/mailparse"
)

// TypeEntryCreated is the type of the event of a new entry of a case's
// thread (package cases').
const TypeEntryCreated = "dev.rapport.support.case_entry.created.v1"

// RepliesGroup is the consumer group of the agents' replies sent by mail.
const RepliesGroup = "support-email-replies"

// Replies sends agents' public replies to the requesters of the cases
// opened by mail, in the mail's thread, and records each sent Message-ID
// so the customer's answer threads back.
type Replies struct {
	db     *outbox.DB
	files  attachments.Store
	cfg    Config
	tokens Tokens
	mailer *Mailer
	logger *slog.Logger
}

// NewReplies returns the sender of replies, reading the replies' files
// from files; mailer nil sends nothing.
func NewReplies(db *outbox.DB, files attachments.Store, cfg Config, mailer *Mailer, logger *slog.Logger) *Replies {
	return &Replies{db: db, files: files, cfg: cfg, tokens: Tokens{key: cfg.TokenKey}, mailer: mailer, logger: logger}
}

// Consumer is the consumer of the service's own topic that sends the
// replies.
func (r *Replies) Consumer() starter.Consumer {
	return starter.Consumer{Group: RepliesGroup, Contexts: []string{"support"}, Handler: r.Handle}
}

// entryEvent is what Replies reads of a case_entry.created payload.
type entryEvent struct {
	ID         string `json:"id"`
	CaseID     string `json:"caseId"`
	Kind       string `json:"kind"`
	Public     bool   `json:"public"`
	AuthorType string `json:"authorType"`
	BodyText   string `json:"bodyText"`
	BodyHTML   string `json:"bodyHtml"`
	Files      []struct {
		ID string `json:"id"`
	} `json:"attachments"`
}

// Handle sends the reply of ev when it is an agent's public reply on a
// case a person opened by mail; a failure to send is returned, for the
// consumer to retry.
func (r *Replies) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	if ev.Type != TypeEntryCreated {
		return nil
	}
	var e entryEvent
	if err := json.Unmarshal(ev.Data, &e); err != nil {
		return fmt.Errorf("%s %s: %w", ev.Type, ev.ID, err)
	}
	if e.AuthorType != "agent" || !e.Public || e.Kind != "reply" {
		return nil
	}
	req, ok, err := requesterOf(ctx, tx, e.CaseID)
	if err != nil || !ok || req.Automatic {
		return err
	}
	if r.mailer == nil {
		r.logger.WarnContext(ctx, "an agent's reply to a mail is not sent: SUPPORT_SMTP_URL is not set", "case", e.CaseID)
		return nil
	}
	ptx := r.db.With(tx, ev.TenantID)
	from := mailparse.Address{Email: r.cfg.From}
	if req.MailboxID != nil {
		if mb, err := getMailbox(ctx, ptx, *req.MailboxID, false); err == nil {
			from = mb.sender()
		}
	}
	refs, err := threadIDs(ctx, tx, e.CaseID)
	if err != nil {
		return err
	}
	out := Outgoing{From: from, To: mailparse.Address{Name: req.Name, Email: req.Address},
		Subject: replySubject(req.Subject) + " " + r.tokens.Token(ev.TenantID, req.Number),
		Text:    e.BodyText, HTML: mailparse.Sanitize(e.BodyHTML), References: refs}
	if e.BodyHTML == "" {
		out.HTML = ""
	}
	if len(refs) > 0 {
		out.InReplyTo = refs[len(refs)-1]
	}
	for _, f := range e.Files {
		a, err := r.file(ctx, ptx, f.ID)
		if err != nil {
			return fmt.Errorf("reply %s of case %s: %w", e.ID, e.CaseID, err)
		}
		out.Attachments = append(out.Attachments, a)
	}
	id, err := r.mailer.Send(out)
	if err != nil {
		return fmt.Errorf("reply %s of case %s: %w", e.ID, e.CaseID, err)
	}
	return recordMessageID(ctx, ptx, id, e.CaseID, "out", pg.Timestamp(time.Now()).UTC())
}

// file reads the attachment id of a reply.
func (r *Replies) file(ctx context.Context, tx *outbox.Tx, id string) (mailparse.Attachment, error) {
	m, data, err := r.files.Open(ctx, tx, id)
	if err != nil {
		return mailparse.Attachment{}, err
	}
	defer data.Close()
	b, err := io.ReadAll(data)
	return mailparse.Attachment{Name: m.Name, ContentType: m.ContentType, Data: b}, err
}

// replySubject is subject as a reply's: "Re: " before it unless it has one.
func replySubject(subject string) string {
	if strings.HasPrefix(strings.ToLower(subject), "re:") {
		return subject
	}
	return "Re: " + subject
}
