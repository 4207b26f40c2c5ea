package messaging

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// message is a row of messages as the sender claims it.
type message struct {
	ID         string         `db:"id"`
	SendID     string         `db:"send_id"`
	CampaignID sql.NullString `db:"campaign_id"`
	ContactID  string         `db:"contact_id"`
	Channel    string         `db:"channel"`
	Address    string         `db:"address"`
	Variant    string         `db:"variant"`
	SMTPID     string         `db:"smtp_id"`
	Attempts   int            `db:"attempts"`
}

// messageColumns are message's columns.
const messageColumns = `id, send_id, campaign_id, contact_id, channel, address, variant, smtp_id, attempts`

// qualified is columns (comma-separated) of the table m.
func qualified(columns string) string {
	return "m." + strings.ReplaceAll(columns, ", ", ", m.")
}

// tenantsDue lists up to n tenants with sends to work on.
func tenantsDue(ctx context.Context, db *outbox.DB, n int) ([]string, error) {
	var out []string
	if err := db.Pool().SelectContext(ctx, &out, "SELECT tenant_id FROM messaging_tenants_due($1)", n); err != nil {
		return nil, fmt.Errorf("find the tenants with sends: %w", pg.MapError(err))
	}
	return out, nil
}

// failStale fails the messages of tx's tenant claimed before since and
// still sending: their sender stopped inside the relay's or the
// provider's transaction (or before recording its end), so whether they
// went out is unknown, and they are not sent again.
func failStale(ctx context.Context, tx *outbox.Tx, since time.Time) ([]message, error) {
	var out []message
	err := tx.SQL().SelectContext(ctx, &out, `UPDATE messages SET status = 'failed', error = $2, claimed_by = ''
		WHERE status = 'sending' AND claimed_at < $1 RETURNING `+messageColumns, since, errInterrupted.Error())
	if err != nil {
		return nil, fmt.Errorf("fail interrupted messages: %w", pg.MapError(err))
	}
	return out, nil
}

// quota is the throttle's window of a tenant: used messages claimed
// since start.
type quota struct {
	Start time.Time `db:"window_start"`
	Used  int       `db:"used"`
}

// quotaWindow is the throttle's window.
const quotaWindow = time.Minute

// quotaIn reads and locks the throttle's window of tx's tenant (a new one
// when the last began a minute or more before now): replicas take turns.
func quotaIn(ctx context.Context, tx *outbox.Tx, now time.Time) (quota, error) {
	var q quota
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO messaging_quota (tenant_id, window_start, used)
		VALUES (`+pgrecord.CurrentTenant+`, $1, 0) ON CONFLICT (tenant_id) DO NOTHING`, now)
	if err == nil {
		err = tx.SQL().GetContext(ctx, &q, `SELECT window_start, used FROM messaging_quota FOR UPDATE`)
	}
	if err != nil {
		return quota{}, fmt.Errorf("read the throttle's window: %w", pg.MapError(err))
	}
	if !q.Start.Add(quotaWindow).After(now) {
		q = quota{Start: now}
	}
	return q, nil
}

// saveQuota writes the throttle's window of tx's tenant.
func saveQuota(ctx context.Context, tx *outbox.Tx, q quota) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE messaging_quota SET window_start = $1, used = $2`, q.Start, q.Used); err != nil {
		return fmt.Errorf("write the throttle's window: %w", pg.MapError(err))
	}
	return nil
}

// claim marks up to n queued messages of tx's tenant due at now as sending
// by claimer, skipping those another transaction holds, with the
// Message-ID of an email (<id>@domain, without angle brackets), and
// returns them.
func claim(ctx context.Context, tx *outbox.Tx, claimer, domain string, now time.Time, n int) ([]message, error) {
	var out []message
	// The rows are picked once (a materialised CTE): a subquery under IN
	// may be run again by the plan, picking more than n.
	err := tx.SQL().SelectContext(ctx, &out, `WITH picked AS MATERIALIZED (
			SELECT tenant_id, id FROM messages WHERE status = 'queued' AND next_attempt_at <= $2
			ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
		UPDATE messages m SET status = 'sending', claimed_by = $1, claimed_at = $2,
			attempts = m.attempts + 1, smtp_id = CASE WHEN m.channel = 'email' THEN m.id::text || '@' || $3 ELSE '' END
		FROM picked WHERE m.tenant_id = picked.tenant_id AND m.id = picked.id
		RETURNING `+qualified(messageColumns), claimer, now, domain, n)
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", pg.MapError(err))
	}
	return out, nil
}

// recheck confirms, just before its SMTP transaction or SMS request, that
// the message id is still claimed by claimer and its send not canceled,
// and renews the claim; false: it must not be sent.
func recheck(ctx context.Context, tx *outbox.Tx, id, claimer string, now time.Time) (bool, error) {
	res, err := tx.SQL().ExecContext(ctx, `UPDATE messages m SET claimed_at = $3 FROM sends s
		WHERE m.id = $1 AND m.status = 'sending' AND m.claimed_by = $2 AND s.id = m.send_id AND s.status <> 'canceled'`,
		id, claimer, now)
	if err != nil {
		return false, fmt.Errorf("recheck a message: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// renew renews the claims by claimer of the messages ids still sending.
func renew(ctx context.Context, tx *outbox.Tx, ids []string, claimer string, now time.Time) error {
	_, err := tx.SQL().ExecContext(ctx, `UPDATE messages SET claimed_at = $3
		WHERE id = ANY($1::uuid[]) AND status = 'sending' AND claimed_by = $2`, pq.StringArray(ids), claimer, now)
	if err != nil {
		return fmt.Errorf("renew claims: %w", pg.MapError(err))
	}
	return nil
}

// finish records the end of the message id claimed by claimer: status
// (sent, failed, excluded or canceled) with error, the provider's id of an
// SMS (smtpID "" keeps the Message-ID) and sentAt when sent; false when
// it was no longer claimed by claimer.
func finish(ctx context.Context, tx *outbox.Tx, id, claimer, status, errText, smtpID string, sentAt *time.Time) (bool, error) {
	res, err := tx.SQL().ExecContext(ctx, `UPDATE messages SET status = $3, error = $4, smtp_id = COALESCE(NULLIF($5, ''), smtp_id),
			sent_at = $6, claimed_by = ''
		WHERE id = $1 AND status = 'sending' AND claimed_by = $2`, id, claimer, status, errText, smtpID, sentAt)
	if err != nil {
		return false, fmt.Errorf("record a message's end: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// requeue gives the messages ids claimed by claimer back to the queue, due
// at next; undo takes back the attempt their claim counted (they were
// never tried).
func requeue(ctx context.Context, tx *outbox.Tx, ids []string, claimer string, next time.Time, errText string, undo bool) error {
	back := 0
	if undo {
		back = 1
	}
	_, err := tx.SQL().ExecContext(ctx, `UPDATE messages SET status = 'queued', claimed_by = '', claimed_at = NULL,
			next_attempt_at = $3, error = $4, attempts = attempts - $5
		WHERE id = ANY($1::uuid[]) AND status = 'sending' AND claimed_by = $2`, pq.StringArray(ids), claimer, next, errText, back)
	if err != nil {
		return fmt.Errorf("requeue messages: %w", pg.MapError(err))
	}
	return nil
}
