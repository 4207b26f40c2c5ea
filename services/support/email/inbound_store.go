package email

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// inbound is a received mail as inbound_messages keeps it.
type inbound struct {
	ID         string    `db:"id"`
	MailboxID  *string   `db:"mailbox_id"`
	Entrance   string    `db:"entrance"`
	Sender     string    `db:"sender"`
	MessageID  string    `db:"message_id"`
	Raw        []byte    `db:"raw"`
	ReceivedAt time.Time `db:"received_at"`
}

// storeInbound keeps a received mail, raw, before its delivery, and
// returns how many mails its sender sent in the minute before it (itself
// included).
func storeInbound(ctx context.Context, tx *outbox.Tx, in inbound) (perMinute int, err error) {
	_, err = sqlx.NamedExecContext(ctx, tx.SQL(), `INSERT INTO inbound_messages (tenant_id, id, mailbox_id, entrance, sender,
		message_id, raw, status, received_at) VALUES (`+pgrecord.CurrentTenant+`, :id, :mailbox_id, :entrance, :sender,
		:message_id, :raw, 'received', :received_at)`, in)
	if err != nil {
		return 0, fmt.Errorf("store inbound mail: %w", pg.MapError(err))
	}
	err = tx.SQL().GetContext(ctx, &perMinute, `SELECT count(*) FROM inbound_messages
		WHERE sender = $1 AND received_at > $2::timestamptz - interval '1 minute'`, in.Sender, in.ReceivedAt)
	if err != nil {
		return 0, fmt.Errorf("count the sender's mails: %w", pg.MapError(err))
	}
	return perMinute, nil
}

// markInbound records what became of the inbound mail id.
func markInbound(ctx context.Context, tx *outbox.Tx, id string, r Receipt, at time.Time) error {
	_, err := tx.SQL().ExecContext(ctx, `UPDATE inbound_messages SET status = $2, case_id = $3, automatic = $4, notes = $5,
		error = $6, delivered_at = CASE WHEN $2 = 'delivered' THEN $7::timestamptz END, attempts = attempts + 1 WHERE id = $1`,
		id, r.Status, pgrecord.OrNull(r.CaseID), r.Automatic, pq.StringArray(r.Notes), r.Error, at)
	if err != nil {
		return fmt.Errorf("mark inbound mail: %w", pg.MapError(err))
	}
	return nil
}

// caseOfMessageIDs finds the case of a mail received or sent with one of
// ids.
func caseOfMessageIDs(ctx context.Context, tx *outbox.Tx, ids []string) (caseID string, ok bool, err error) {
	var found []string
	err = tx.SQL().SelectContext(ctx, &found, `SELECT case_id FROM email_message_ids WHERE message_id = ANY($1)
		ORDER BY created_at DESC LIMIT 1`, pq.StringArray(ids))
	if err != nil {
		return "", false, fmt.Errorf("find the case of message ids: %w", pg.MapError(err))
	}
	if len(found) == 0 {
		return "", false, nil
	}
	return found[0], true, nil
}

// recordMessageID records a mail of the case, received ("in") or sent
// ("out").
func recordMessageID(ctx context.Context, tx *outbox.Tx, messageID, caseID, direction string, at time.Time) error {
	if messageID == "" {
		return nil
	}
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO email_message_ids (tenant_id, message_id, case_id, direction, created_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4) ON CONFLICT DO NOTHING`, messageID, caseID, direction, at)
	if err != nil {
		return fmt.Errorf("record message id: %w", pg.MapError(err))
	}
	return nil
}

// threadIDs are the Message-IDs of the case's mails, oldest first (the
// References of a reply), at most the last 20.
func threadIDs(ctx context.Context, tx *sqlx.Tx, caseID string) ([]string, error) {
	var out []string
	err := tx.SelectContext(ctx, &out, `SELECT message_id FROM (SELECT message_id, created_at FROM email_message_ids
		WHERE case_id = $1 ORDER BY created_at DESC LIMIT 20) t ORDER BY created_at`, caseID)
	if err != nil {
		return nil, fmt.Errorf("read the thread's message ids: %w", pg.MapError(err))
	}
	return out, nil
}

// requester is whom the agents' public replies on a case opened by mail
// go to.
type requester struct {
	CaseID    string    `db:"case_id"`
	MailboxID *string   `db:"mailbox_id"`
	Address   string    `db:"address"`
	Name      string    `db:"name"`
	Number    int64     `db:"number"`
	Subject   string    `db:"subject"`
	Automatic bool      `db:"automatic"`
	CreatedAt time.Time `db:"created_at"`
}

// saveRequester records the requester of a case opened by mail.
func saveRequester(ctx context.Context, tx *outbox.Tx, r requester) error {
	_, err := sqlx.NamedExecContext(ctx, tx.SQL(), `INSERT INTO email_requesters (tenant_id, case_id, mailbox_id, address, name,
		number, subject, automatic, created_at) VALUES (`+pgrecord.CurrentTenant+`, :case_id, :mailbox_id, :address, :name,
		:number, :subject, :automatic, :created_at) ON CONFLICT DO NOTHING`, r)
	if err != nil {
		return fmt.Errorf("save requester: %w", pg.MapError(err))
	}
	return nil
}

// requesterOf reads the requester of the case, ok false when the case was
// not opened by mail.
func requesterOf(ctx context.Context, tx *sqlx.Tx, caseID string) (r requester, ok bool, err error) {
	var found []requester
	err = tx.SelectContext(ctx, &found, `SELECT case_id, mailbox_id, address, name, number, subject, automatic, created_at
		FROM email_requesters WHERE case_id = $1`, caseID)
	if err != nil || len(found) == 0 {
		return r, false, pg.MapError(err)
	}
	return found[0], true, nil
}

// maxAttempts is how many deliveries of a mail are tried: the first and
// the replays.
const maxAttempts = 5

// undelivered reads up to n of the tenant's mails kept but not delivered
// for a minute (a failed delivery, or one an instance stopped in), oldest
// first, with fewer than maxAttempts tries.
func undelivered(ctx context.Context, tx *outbox.Tx, n int) ([]inbound, error) {
	var out []inbound
	err := tx.SQL().SelectContext(ctx, &out, `SELECT id, mailbox_id, entrance, sender, message_id, raw, received_at
		FROM inbound_messages WHERE status <> 'delivered' AND received_at < now() - interval '1 minute' AND attempts < $1
		ORDER BY received_at LIMIT $2`, maxAttempts, n)
	if err != nil {
		return nil, fmt.Errorf("read undelivered mail: %w", pg.MapError(err))
	}
	return out, nil
}

// undeliveredTenants lists up to n tenants with mail to replay
// (undelivered_inbound_tenants, across tenants).
func undeliveredTenants(ctx context.Context, db *sqlx.DB, n int) ([]string, error) {
	var out []string
	if err := db.SelectContext(ctx, &out, "SELECT tenant_id FROM undelivered_inbound_tenants($1, $2)", maxAttempts, n); err != nil {
		return nil, fmt.Errorf("list tenants with undelivered mail: %w", pg.MapError(err))
	}
	return out, nil
}
