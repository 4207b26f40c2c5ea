package tracking

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// messageColumns are the columns of a message, with whether a person has
// opened it.
const messageColumns = `m.id, m.send_id, m.campaign_id, m.contact_id, m.channel, m.address, m.sent_at,
	EXISTS (SELECT 1 FROM message_events e WHERE e.tenant_id = m.tenant_id AND e.message_id = m.id
		AND e.kind = 'open' AND NOT e.bot) AS opened`

// getMessage returns the tenant's message id; ok is false without one.
func getMessage(ctx context.Context, tx *outbox.Tx, id string) (m message, ok bool, err error) {
	if !ids.Valid(id) {
		return m, false, nil
	}
	err = tx.Prepared().QueryRowxContext(ctx, "SELECT "+messageColumns+" FROM messages m WHERE m.tenant_id = "+pgrecord.CurrentTenant+" AND m.id = $1", id).StructScan(&m)
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("get message: %w", pg.MapError(err))
	}
	return m, true, nil
}

// findMessage returns the tenant's message named by id (X-Rapport-Message)
// or else by smtpID (its Message-ID); ok is false without one.
func findMessage(ctx context.Context, tx *outbox.Tx, id, smtpID string) (m message, ok bool, err error) {
	if m, ok, err = getMessage(ctx, tx, id); ok || err != nil || smtpID == "" {
		return m, ok, err
	}
	err = tx.SQL().GetContext(ctx, &m, "SELECT "+messageColumns+" FROM messages m WHERE m.tenant_id = "+pgrecord.CurrentTenant+" AND m.smtp_id IN ($1, $2) LIMIT 1",
		smtpID, "<"+smtpID+">")
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("find message: %w", pg.MapError(err))
	}
	return m, true, nil
}

// messageTenant returns the tenant of the message named by id or smtpID,
// across tenants (marketing_message_by_ref): how a bounce reaching the
// SMTP listener finds its tenant. ok is false without one.
func messageTenant(ctx context.Context, db *outbox.DB, id, smtpID string) (tenant string, ok bool, err error) {
	var msg *string
	if ids.Valid(id) {
		msg = &id
	}
	var rows []struct {
		Tenant string `db:"tenant_id"`
		ID     string `db:"id"`
	}
	if err := db.Pool().SelectContext(ctx, &rows, "SELECT tenant_id, id FROM marketing_message_by_ref($1, $2)", msg, smtpID); err != nil {
		return "", false, fmt.Errorf("message by reference: %w", pg.MapError(err))
	}
	if len(rows) == 0 {
		return "", false, nil
	}
	return rows[0].Tenant, true, nil
}

// eventRow is a row of message_events.
type eventRow struct {
	MessageID string    `db:"message_id"`
	Kind      string    `db:"kind"`
	Target    string    `db:"target"`
	Bot       bool      `db:"bot"`
	BotReason string    `db:"bot_reason"`
	Detail    string    `db:"detail"`
	UserAgent string    `db:"user_agent"`
	IP        string    `db:"ip"`
	At        time.Time `db:"at"`
}

// recordEvent adds e to message_events and reports whether it is the first
// of its message, kind and target a person made (a bot's never is): the
// one whose event is published. One statement: the row goes in as the
// first unless the unique index of firsts already holds one (or e is a
// bot's), else as another.
func recordEvent(ctx context.Context, tx *outbox.Tx, e eventRow) (first bool, err error) {
	const columns = `tenant_id, id, message_id, kind, target, first, bot, bot_reason, detail, user_agent, ip, at`
	const values = pgrecord.CurrentTenant + `, $1, $2, $3, $4, %s, $5, $6, $7, $8, $9, $10`
	q := `WITH firsts AS (
		INSERT INTO message_events (` + columns + `) SELECT ` + fmt.Sprintf(values, "true") + ` WHERE NOT $5
		ON CONFLICT (tenant_id, message_id, kind, target) WHERE first DO NOTHING RETURNING true AS first
	), other AS (
		INSERT INTO message_events (` + columns + `) SELECT ` + fmt.Sprintf(values, "false") + `
		WHERE NOT EXISTS (SELECT FROM firsts)
	)
	SELECT EXISTS (SELECT FROM firsts)`
	err = tx.Prepared().QueryRowxContext(ctx, q, ids.New(), e.MessageID, e.Kind, e.Target, e.Bot, e.BotReason, e.Detail,
		e.UserAgent, e.IP, e.At).Scan(&first)
	if err != nil {
		return false, fmt.Errorf("record %s: %w", e.Kind, pg.MapError(err))
	}
	return first, nil
}

// The values of messages.feedback.
const (
	FeedbackDelivered   = "delivered"
	FeedbackSoftBounced = "soft_bounced"
	FeedbackBounced     = "bounced"
	FeedbackComplained  = "complained"
)

// feedbackRank orders messages.feedback: a later report never replaces a
// graver one (a delivery after a complaint stays a complaint).
var feedbackRank = map[string]int{FeedbackDelivered: 1, FeedbackSoftBounced: 2, FeedbackBounced: 3, FeedbackComplained: 4}

// setFeedback sets message id's feedback to fb unless it has a graver one.
func setFeedback(ctx context.Context, tx *outbox.Tx, id, fb string) error {
	q := `UPDATE messages SET feedback = $2 WHERE tenant_id = ` + pgrecord.CurrentTenant + ` AND id = $1
		AND CASE feedback WHEN 'complained' THEN 4 WHEN 'bounced' THEN 3 WHEN 'soft_bounced' THEN 2 WHEN 'delivered' THEN 1 ELSE 0 END < $3`
	if _, err := tx.SQL().ExecContext(ctx, q, id, fb, feedbackRank[fb]); err != nil {
		return fmt.Errorf("set feedback: %w", pg.MapError(err))
	}
	return nil
}

// reportRow is a row of feedback_reports.
type reportRow struct {
	ID         string    `db:"id"`
	Kind       string    `db:"kind"`
	Source     string    `db:"source"`
	MessageID  *string   `db:"message_id"`
	Outcome    string    `db:"outcome"`
	Detail     string    `db:"detail"`
	ReceivedAt time.Time `db:"received_at"`
}

// insertReport adds r to feedback_reports.
func insertReport(ctx context.Context, tx *outbox.Tx, r reportRow) error {
	r.ID = ids.New()
	_, err := tx.SQL().NamedExecContext(ctx, `INSERT INTO feedback_reports (tenant_id, id, kind, source, message_id, outcome, detail, received_at)
		VALUES (`+pgrecord.CurrentTenant+`, :id, :kind, :source, :message_id, :outcome, :detail, :received_at)`, r)
	if err != nil {
		return fmt.Errorf("insert feedback report: %w", pg.MapError(err))
	}
	return nil
}
