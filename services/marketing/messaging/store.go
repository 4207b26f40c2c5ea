package messaging

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// ErrSendNotFound is a send that does not exist or is another tenant's.
var ErrSendNotFound = errs.New(errs.NotFound, "marketing-send-not-found", "send not found")

// sendRow is a row of sends.
type sendRow struct {
	ID           string         `db:"id"`
	CampaignID   sql.NullString `db:"campaign_id"`
	TemplateID   string         `db:"template_id"`
	Channel      string         `db:"channel"`
	SegmentID    string         `db:"segment_id"`
	Status       string         `db:"status"`
	ScheduledAt  sql.NullTime   `db:"scheduled_at"`
	UTM          []byte         `db:"utm"`
	After        sql.NullString `db:"materialized_after"`
	Materialized bool           `db:"materialized"`
	CreatedBy    string         `db:"created_by"`
	CreatedAt    time.Time      `db:"created_at"`
	StartedAt    sql.NullTime   `db:"started_at"`
	CompletedAt  sql.NullTime   `db:"completed_at"`
	CanceledAt   sql.NullTime   `db:"canceled_at"`
	Version      int64          `db:"version"`
}

// sendColumns are sendRow's columns (a journey's send has no segment:
// SegmentID "").
const sendColumns = `id, campaign_id, template_id, channel, COALESCE(segment_id::text, '') AS segment_id, status, scheduled_at, utm, materialized_after, materialized,
	created_by, created_at, started_at, completed_at, canceled_at, version`

// send is r as a Send, without its counts.
func (r sendRow) send() Send {
	s := Send{ID: r.ID, CampaignID: r.CampaignID.String, TemplateID: r.TemplateID, Channel: r.Channel, SegmentID: r.SegmentID,
		Status: r.Status, ScheduledAt: timePtr(r.ScheduledAt), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
		StartedAt: timePtr(r.StartedAt), CompletedAt: timePtr(r.CompletedAt), CanceledAt: timePtr(r.CanceledAt), Version: r.Version}
	_ = json.Unmarshal(r.UTM, &s.UTM) // written by insertSend from a UTM
	return s
}

// timePtr is t in UTC, nil when null.
func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// insertSend writes the new send s.
func insertSend(ctx context.Context, tx *outbox.Tx, s Send) error {
	utm, err := json.Marshal(s.UTM)
	if err != nil {
		return err
	}
	_, err = tx.SQL().ExecContext(ctx, `INSERT INTO sends (tenant_id, id, campaign_id, template_id, channel, segment_id, status,
			scheduled_at, utm, created_by, created_at, updated_at, version)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)`,
		s.ID, pgrecord.OrNull(s.CampaignID), s.TemplateID, s.Channel, s.SegmentID, s.Status, s.ScheduledAt, utm, s.CreatedBy,
		s.CreatedAt, s.Version)
	if err != nil {
		return fmt.Errorf("insert send: %w", pg.MapError(err))
	}
	return nil
}

// sendRowIn reads the row of the send id, locked for update when lock.
func sendRowIn(ctx context.Context, tx *outbox.Tx, id string, lock bool) (sendRow, error) {
	var r sendRow
	err := pgrecord.GetRow(ctx, tx, &r, "sends", sendColumns, id, lock, ErrSendNotFound, "send")
	return r, err
}

// sendIn reads the send id, locked for update when lock, with its counts.
func sendIn(ctx context.Context, tx *outbox.Tx, id string, lock bool) (sendRow, Send, error) {
	r, err := sendRowIn(ctx, tx, id, lock)
	if err != nil {
		return sendRow{}, Send{}, err
	}
	s := r.send()
	list := []Send{s}
	if err := withCounts(ctx, tx, list); err != nil {
		return sendRow{}, Send{}, err
	}
	return r, list[0], nil
}

// listSends reads up to n sends to segments, newest first, after the id
// after ("": from the newest), with their counts (a journey's sends are
// its steps', not listed).
func listSends(ctx context.Context, tx *outbox.Tx, after string, n int) ([]Send, error) {
	var rows []sendRow
	q := `SELECT ` + sendColumns + ` FROM sends WHERE journey_id IS NULL AND ($1 = '' OR id < $1::uuid) ORDER BY id DESC LIMIT $2`
	if err := tx.SQL().SelectContext(ctx, &rows, q, after, n); err != nil {
		return nil, fmt.Errorf("list sends: %w", pg.MapError(err))
	}
	out := make([]Send, len(rows))
	for i, r := range rows {
		out[i] = r.send()
	}
	return out, withCounts(ctx, tx, out)
}

// withCounts fills in the counts of sends from their messages.
func withCounts(ctx context.Context, tx *outbox.Tx, sends []Send) error {
	if len(sends) == 0 {
		return nil
	}
	at := make(map[string]int, len(sends))
	idList := make(pq.StringArray, len(sends))
	for i, s := range sends {
		at[s.ID], idList[i] = i, s.ID
	}
	var rows []struct {
		SendID string `db:"send_id"`
		Status string `db:"status"`
		Error  string `db:"error"`
		N      int    `db:"n"`
	}
	err := tx.SQL().SelectContext(ctx, &rows, `SELECT send_id, status, CASE WHEN status = 'excluded' THEN error ELSE '' END AS error,
			count(*) AS n
		FROM messages WHERE send_id = ANY($1::uuid[]) GROUP BY 1, 2, 3`, idList)
	if err != nil {
		return fmt.Errorf("count a send's messages: %w", pg.MapError(err))
	}
	for _, r := range rows {
		sends[at[r.SendID]].add(r.Status, r.Error, r.N)
	}
	return nil
}

// setSendStatus moves the send id to status, stamping the time of the
// move in column ("" for none), and bumps its version.
func setSendStatus(ctx context.Context, tx *outbox.Tx, id, status, column string, at time.Time) error {
	set := ""
	if column != "" {
		set = ", " + column + " = $3"
	}
	_, err := tx.SQL().ExecContext(ctx, `UPDATE sends SET status = $2, updated_at = $3, version = version + 1`+set+` WHERE id = $1`,
		id, status, at)
	if err != nil {
		return fmt.Errorf("update send: %w", pg.MapError(err))
	}
	return nil
}

// settingsRow is a row of marketing_settings.
type settingsRow struct {
	FromAddress string    `db:"from_address"`
	FromName    string    `db:"from_name"`
	ReplyTo     string    `db:"reply_to"`
	SMSFrom     string    `db:"sms_from"`
	Domain      string    `db:"dkim_domain"`
	Selector    string    `db:"dkim_selector"`
	PrivateKey  string    `db:"dkim_private_key"`
	Throttle    int       `db:"throttle_per_minute"`
	UpdatedBy   string    `db:"updated_by"`
	UpdatedAt   time.Time `db:"updated_at"`
	Version     int64     `db:"version"`
}

// settingsIn reads the settings of tx's tenant with its private key, the
// defaults when it has none.
func settingsIn(ctx context.Context, tx *outbox.Tx) (Settings, error) {
	var r settingsRow
	err := tx.SQL().GetContext(ctx, &r, `SELECT from_address, from_name, reply_to, sms_from, dkim_domain, dkim_selector,
		dkim_private_key, throttle_per_minute, updated_by, updated_at, version FROM marketing_settings`)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("read marketing settings: %w", pg.MapError(err))
	}
	at := r.UpdatedAt.UTC()
	s := Settings{FromAddress: r.FromAddress, FromName: r.FromName, ReplyTo: r.ReplyTo, SMSFrom: r.SMSFrom,
		ThrottlePerMinute: r.Throttle, UpdatedBy: r.UpdatedBy, UpdatedAt: &at, Version: r.Version}
	if r.Domain != "" {
		s.DKIM = &DKIM{Domain: r.Domain, Selector: r.Selector, PrivateKey: r.PrivateKey}
	}
	return s, nil
}

// saveSettings writes s as the settings of tx's tenant.
func saveSettings(ctx context.Context, tx *outbox.Tx, s Settings) error {
	var d DKIM
	if s.DKIM != nil {
		d = *s.DKIM
	}
	_, err := tx.SQL().ExecContext(ctx, `INSERT INTO marketing_settings (tenant_id, from_address, from_name, reply_to, sms_from,
			dkim_domain, dkim_selector, dkim_private_key, throttle_per_minute, updated_by, updated_at, version)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (tenant_id) DO UPDATE SET from_address = EXCLUDED.from_address, from_name = EXCLUDED.from_name,
			reply_to = EXCLUDED.reply_to, sms_from = EXCLUDED.sms_from, dkim_domain = EXCLUDED.dkim_domain,
			dkim_selector = EXCLUDED.dkim_selector, dkim_private_key = EXCLUDED.dkim_private_key,
			throttle_per_minute = EXCLUDED.throttle_per_minute, updated_by = EXCLUDED.updated_by,
			updated_at = EXCLUDED.updated_at, version = EXCLUDED.version`,
		s.FromAddress, s.FromName, s.ReplyTo, s.SMSFrom, d.Domain, d.Selector, d.PrivateKey, s.ThrottlePerMinute, s.UpdatedBy,
		*s.UpdatedAt, s.Version)
	if err != nil {
		return fmt.Errorf("save marketing settings: %w", pg.MapError(err))
	}
	return nil
}

// campaignExists says the tenant has the campaign id.
func campaignExists(ctx context.Context, tx *outbox.Tx, id string) (bool, error) {
	var ok bool
	if err := tx.SQL().GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = $1)`, id); err != nil {
		return false, fmt.Errorf("look up a campaign: %w", pg.MapError(err))
	}
	return ok, nil
}
