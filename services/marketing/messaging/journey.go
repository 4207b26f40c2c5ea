package messaging

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

// JourneyStep names a journey's send step on one round of entry: what
// StepSend makes a send of.
type JourneyStep struct {
	JourneyID, StepID string
	Round             int
	TemplateID        string
	Channel           string
	CampaignID        string // "" for none
}

// StepSend returns the send of the journey step s, made once (sending,
// with no segment: its messages are queued one by one by Enqueue, and
// the sender delivers them as it does a segment's).
func StepSend(ctx context.Context, tx *outbox.Tx, s JourneyStep, now time.Time) (string, error) {
	var id string
	err := tx.SQL().GetContext(ctx, &id, `INSERT INTO sends (tenant_id, id, campaign_id, template_id, channel, status, materialized,
			journey_id, journey_step, journey_round, created_by, created_at, started_at, updated_at, version)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, 'sending', true, $5, $6, $7, 'journey', $8, $8, $8, 1)
		ON CONFLICT (tenant_id, journey_id, journey_step, journey_round) WHERE journey_id IS NOT NULL DO NOTHING
		RETURNING id`, ids.New(), pgrecord.OrNull(s.CampaignID), s.TemplateID, s.Channel, s.JourneyID, s.StepID, s.Round, now)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.SQL().GetContext(ctx, &id, `SELECT id FROM sends WHERE journey_id = $1 AND journey_step = $2 AND journey_round = $3`,
			s.JourneyID, s.StepID, s.Round)
	}
	if err != nil {
		return "", fmt.Errorf("make a journey step's send: %w", pg.MapError(err))
	}
	return id, nil
}

// Enqueued is the message Enqueue made (or had made) for a contact:
// queued for the sender, or excluded with the reason (Reason*), counted
// on its send as a segment send's exclusions are.
type Enqueued struct {
	MessageID string
	Queued    bool
	Reason    string
}

// Enqueue makes the message of the journey send sendID to the contact,
// once: a second call returns the first's message. The contact is checked
// as a segment send's recipients are (address, suppression, consent); the
// sender checks again before the message goes out.
func Enqueue(ctx context.Context, tx *outbox.Tx, sendID, contactID string, now time.Time) (Enqueued, error) {
	var r recipient
	err := tx.SQL().GetContext(ctx, &r, `SELECT $2::uuid AS contact_id, c.id IS NOT NULL AS known,
			COALESCE(CASE WHEN s.channel = 'email' THEN c.email ELSE c.phone END, '') AS address,
			COALESCE(CASE WHEN s.channel = 'email' THEN c.email_consent ELSE c.sms_consent END, '') AS consent,
			x.reason AS suppressed
		FROM sends s
		LEFT JOIN audience_contacts c ON c.id = $2
		LEFT JOIN suppressions x ON x.channel = s.channel AND x.address = CASE WHEN s.channel = 'email' THEN c.email ELSE c.phone END
		WHERE s.id = $1 AND s.journey_id IS NOT NULL`, sendID, contactID)
	if err = pg.MapError(err); err != nil {
		return Enqueued{}, fmt.Errorf("read a journey message's recipient: %w", err)
	}
	status, reason := msgQueued, r.exclusion()
	if !r.Known {
		reason = ReasonNoAddress
	}
	if reason != "" {
		status = msgExcluded
	}
	var out struct {
		ID     string `db:"id"`
		Status string `db:"status"`
		Error  string `db:"error"`
	}
	err = tx.SQL().GetContext(ctx, &out, `WITH made AS (
			INSERT INTO messages (tenant_id, id, send_id, campaign_id, contact_id, channel, address, status, error, created_at, next_attempt_at)
			SELECT s.tenant_id, $2, s.id, s.campaign_id, $3, s.channel, $4, $5, $6, $7, $7 FROM sends s WHERE s.id = $1
			ON CONFLICT (tenant_id, send_id, contact_id) DO NOTHING RETURNING id, status, error)
		SELECT id, status, error FROM made
		UNION ALL SELECT id, status, error FROM messages WHERE send_id = $1 AND contact_id = $3 AND NOT EXISTS (SELECT 1 FROM made)`,
		sendID, ids.New(), contactID, r.Address, status, reason, now)
	if err != nil {
		return Enqueued{}, fmt.Errorf("make a journey message: %w", pg.MapError(err))
	}
	excluded := out.Status == msgExcluded
	e := Enqueued{MessageID: out.ID, Queued: !excluded}
	if excluded {
		e.Reason = out.Error
	}
	return e, nil
}

// EndJourneySends completes the sends of the journey id (archived or
// deleted), canceling their messages not yet sent.
func EndJourneySends(ctx context.Context, tx *outbox.Tx, journeyID string, now time.Time) error {
	_, err := tx.SQL().ExecContext(ctx, `WITH ended AS (
			UPDATE sends SET status = 'completed', completed_at = $2, updated_at = $2, version = version + 1
			WHERE journey_id = $1 AND status = 'sending' RETURNING id)
		UPDATE messages SET status = 'canceled' WHERE status = 'queued' AND send_id IN (SELECT id FROM ended)`, journeyID, now)
	if err != nil {
		return fmt.Errorf("end a journey's sends: %w", pg.MapError(err))
	}
	return nil
}
