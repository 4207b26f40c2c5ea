package messaging

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// recipient is a member of a send's segment as the projection has it: its
// address on the send's channel, its consent there and the reason its
// address is suppressed ("" for none). Known is false for a member the
// projection no longer has (deleted, erased, merged away).
type recipient struct {
	ContactID  string         `db:"contact_id"`
	Known      bool           `db:"known"`
	Address    string         `db:"address"`
	Consent    string         `db:"consent"`
	Suppressed sql.NullString `db:"suppressed"`
}

// exclusion is why r is not sent to on its channel ("" if it is).
func (r recipient) exclusion() string {
	return exclusionOf(r.Address, r.Consent, r.Suppressed.String)
}

// exclusionOf is why a contact with address, consent and the reason its
// address is suppressed ("" for none) on a channel is not sent to there
// ("" if it is).
func exclusionOf(address, consent, suppressed string) string {
	switch {
	case address == "":
		return ReasonNoAddress
	case suppressed == ReasonHardBounce || suppressed == ReasonComplaint:
		return suppressed
	case suppressed != "":
		return ReasonSuppressed
	case consent != "granted":
		return ReasonNoConsent
	}
	return ""
}

// recipientsOf reads up to n members of segment after the contact after
// ("" from the first), in the order of their ids, each with its address
// and consent on channel and its suppression there.
func recipientsOf(ctx context.Context, tx *outbox.Tx, segment, channel, after string, n int) ([]recipient, error) {
	var out []recipient
	err := tx.SQL().SelectContext(ctx, &out, `WITH members AS (
			SELECT contact_id FROM segment_members WHERE segment_id = $1 AND ($3 = '' OR contact_id > $3::uuid)
			ORDER BY contact_id LIMIT $4)
		SELECT m.contact_id, c.id IS NOT NULL AS known,
			COALESCE(CASE WHEN $2 = 'email' THEN c.email ELSE c.phone END, '') AS address,
			COALESCE(CASE WHEN $2 = 'email' THEN c.email_consent ELSE c.sms_consent END, '') AS consent,
			s.reason AS suppressed
		FROM members m
		LEFT JOIN audience_contacts c ON c.id = m.contact_id
		LEFT JOIN suppressions s ON s.channel = $2 AND s.address = CASE WHEN $2 = 'email' THEN c.email ELSE c.phone END
		ORDER BY m.contact_id`, segment, channel, after, n)
	if err != nil {
		return nil, fmt.Errorf("read a send's recipients: %w", pg.MapError(err))
	}
	return out, nil
}

// memberCount is how many members segment has now; ok is false when the
// tenant has no such segment or list.
func memberCount(ctx context.Context, tx *outbox.Tx, segment string) (n int, ok bool, err error) {
	var count sql.NullInt64
	err = tx.SQL().GetContext(ctx, &count, `SELECT (SELECT count(*) FROM segment_members m WHERE m.segment_id = s.id)
		FROM segments s WHERE s.id = $1`, segment)
	if err = pg.MapError(err); err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return 0, false, nil
		}
		return 0, false, fmt.Errorf("count a segment's members: %w", err)
	}
	return int(count.Int64), true, nil
}

// insertMessages makes recipients into messages of send s: queued, or
// excluded with their reason; a recipient already made into one (a
// repeated batch) is left as it is (the idempotency record of the send and
// the contact).
func insertMessages(ctx context.Context, tx *outbox.Tx, s sendRow, rs []recipient, now time.Time) error {
	var idList, contacts, addresses, statuses, reasons pq.StringArray
	for _, r := range rs {
		if !r.Known {
			continue
		}
		status, reason := msgQueued, r.exclusion()
		if reason != "" {
			status = msgExcluded
		}
		idList, contacts, addresses = append(idList, ids.New()), append(contacts, r.ContactID), append(addresses, r.Address)
		statuses, reasons = append(statuses, status), append(reasons, reason)
	}
	if len(idList) == 0 {
		return nil
	}
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO messages (tenant_id, id, send_id, campaign_id, contact_id, channel, address,
			status, error, created_at, next_attempt_at)
		SELECT `+pgrecord.CurrentTenant+`, r.id, $1, $2, r.contact_id, $3, r.address, r.status, r.reason, $4, $4
		FROM unnest($5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[]) AS r(id, contact_id, address, status, reason)
		ON CONFLICT (tenant_id, send_id, contact_id) DO NOTHING`,
		s.ID, s.CampaignID, s.Channel, now, idList, contacts, addresses, statuses, reasons)
	if err != nil {
		return fmt.Errorf("make a send's messages: %w", pg.MapError(err))
	}
	return nil
}

// sendsToStart reads and locks (skipping those another transaction holds)
// up to n sends of tx's tenant whose messages are still to be made: due
// scheduled ones, queued ones and sending ones not yet materialised.
func sendsToStart(ctx context.Context, tx *outbox.Tx, now time.Time, n int) ([]sendRow, error) {
	var out []sendRow
	err := tx.SQL().SelectContext(ctx, &out, `SELECT `+sendColumns+` FROM sends
		WHERE status = 'queued' OR (status = 'scheduled' AND scheduled_at <= $1) OR (status = 'sending' AND NOT materialized)
		ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`, now, n)
	if err != nil {
		return nil, fmt.Errorf("find sends to start: %w", pg.MapError(err))
	}
	return out, nil
}

// advance records that send id's messages are made up to the contact
// after, and all of them when done; the first batch moves it to sending.
func advance(ctx context.Context, tx *outbox.Tx, id, after string, done bool, now time.Time) error {
	_, err := tx.SQL().ExecContext(ctx, `UPDATE sends SET materialized_after = COALESCE(NULLIF($2, '')::uuid, materialized_after),
			materialized = $3, status = 'sending', started_at = COALESCE(started_at, $4), updated_at = $4,
			version = version + CASE WHEN status = 'sending' THEN 0 ELSE 1 END
		WHERE id = $1`, id, after, done, now)
	if err != nil {
		return fmt.Errorf("advance a send: %w", pg.MapError(err))
	}
	return nil
}

// sendsDone reads and locks the sends of tx's tenant that are sending, all
// their messages made, none left queued, sending or held, and their A/B
// test, if any, decided: a test of every recipient (no rest held back) is
// still judged before its send completes (a journey's send is not: it takes
// messages as long as its journey lives).
func sendsDone(ctx context.Context, tx *outbox.Tx) ([]string, error) {
	var out []string
	err := tx.SQL().SelectContext(ctx, &out, `SELECT s.id FROM sends s WHERE s.status = 'sending' AND s.materialized AND s.journey_id IS NULL
		AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.send_id = s.id AND m.status IN ('queued', 'sending', 'held'))
		AND NOT EXISTS (SELECT 1 FROM send_ab_tests a WHERE a.send_id = s.id AND a.decided_at IS NULL)
		FOR UPDATE SKIP LOCKED`)
	if err != nil {
		return nil, fmt.Errorf("find completed sends: %w", pg.MapError(err))
	}
	return out, nil
}

// cancelMessages cancels the queued (and held) messages of send id.
func cancelMessages(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE messages SET status = 'canceled' WHERE send_id = $1 AND status IN ('queued', 'held')`, id); err != nil {
		return fmt.Errorf("cancel a send's messages: %w", pg.MapError(err))
	}
	return nil
}
