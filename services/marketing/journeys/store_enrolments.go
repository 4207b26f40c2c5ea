package journeys

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// enrolmentRow is a row of journey_enrolments.
type enrolmentRow struct {
	ID        string       `db:"id"`
	JourneyID string       `db:"journey_id"`
	ContactID string       `db:"contact_id"`
	Round     int          `db:"round"`
	Status    string       `db:"status"`
	StepID    string       `db:"step_id"`
	NextRunAt sql.NullTime `db:"next_run_at"`
	History   []byte       `db:"history"`
	EnteredAt time.Time    `db:"entered_at"`
	EndedAt   sql.NullTime `db:"ended_at"`
}

// enrolmentColumns are the columns of an enrolmentRow.
const enrolmentColumns = "id, journey_id, contact_id, round, status, step_id, next_run_at, history, entered_at, ended_at"

// enrolment is the Enrolment of r.
func (r enrolmentRow) enrolment() Enrolment {
	e := Enrolment{ID: r.ID, JourneyID: r.JourneyID, ContactID: r.ContactID, Round: r.Round, Status: r.Status, StepID: r.StepID,
		NextRunAt: timePtr(r.NextRunAt), EnteredAt: r.EnteredAt.UTC(), EndedAt: timePtr(r.EndedAt), History: []HistoryEntry{}}
	_ = json.Unmarshal(r.History, &e.History) // written by saveEnrolment from a []HistoryEntry
	return e
}

// enrolmentsOf is the enrolments of rows.
func enrolmentsOf(rows []enrolmentRow) []Enrolment {
	out := make([]Enrolment, len(rows))
	for i, r := range rows {
		out[i] = r.enrolment()
	}
	return out
}

// timePtr is t in UTC, nil when null.
func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// lastEntry is a contact's last enrolment in a journey: its round, status
// and entry (round 0: never enrolled).
type lastEntry struct {
	Round     int       `db:"round"`
	Status    string    `db:"status"`
	EnteredAt time.Time `db:"entered_at"`
}

// lastEnrolment reads the last enrolment of contact in journey.
func lastEnrolment(ctx context.Context, tx *outbox.Tx, journey, contact string) (lastEntry, error) {
	var out lastEntry
	err := tx.SQL().GetContext(ctx, &out, `SELECT round, status, entered_at FROM journey_enrolments
		WHERE journey_id = $1 AND contact_id = $2 ORDER BY round DESC LIMIT 1`, journey, contact)
	if err == sql.ErrNoRows {
		return lastEntry{}, nil
	}
	if err != nil {
		return lastEntry{}, fmt.Errorf("read a contact's last enrolment: %w", pg.MapError(err))
	}
	return out, nil
}

// insertEnrolment writes the new enrolment e unless the contact is
// enrolled in the journey now or was on e's round (a concurrent trigger);
// false when it was not written.
func insertEnrolment(ctx context.Context, tx *outbox.Tx, e Enrolment) (bool, error) {
	res, err := tx.SQL().ExecContext(ctx, `INSERT INTO journey_enrolments (tenant_id, id, journey_id, contact_id, round, status, step_id,
			next_run_at, history, entered_at, updated_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, '[]', $8, $8) ON CONFLICT DO NOTHING`,
		e.ID, e.JourneyID, e.ContactID, e.Round, e.Status, e.StepID, e.NextRunAt, e.EnteredAt)
	if err != nil {
		return false, fmt.Errorf("enrol a contact: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// saveEnrolment writes e's progress.
func saveEnrolment(ctx context.Context, tx *outbox.Tx, e Enrolment, now time.Time) error {
	history, err := json.Marshal(e.History)
	if err != nil {
		return err
	}
	_, err = tx.SQL().ExecContext(ctx, `UPDATE journey_enrolments SET status = $2, step_id = $3, next_run_at = $4, history = $5,
			ended_at = $6, updated_at = $7 WHERE id = $1`, e.ID, e.Status, e.StepID, e.NextRunAt, history, e.EndedAt, now)
	if err != nil {
		return fmt.Errorf("save an enrolment: %w", pg.MapError(err))
	}
	return nil
}

// postpone moves the next run of the enrolment id to at if it is still
// active at step.
func postpone(ctx context.Context, tx *outbox.Tx, id, step string, at time.Time) error {
	_, err := tx.SQL().ExecContext(ctx, `UPDATE journey_enrolments SET next_run_at = $3, updated_at = now()
		WHERE id = $1 AND status = 'active' AND step_id = $2`, id, step, at)
	if err != nil {
		return fmt.Errorf("postpone an enrolment: %w", pg.MapError(err))
	}
	return nil
}

// dueEnrolments reads and locks (skipping those another transaction
// holds) up to n active enrolments of active journeys due at now.
func dueEnrolments(ctx context.Context, tx *outbox.Tx, now time.Time, n int) ([]Enrolment, error) {
	var rows []enrolmentRow
	err := tx.SQL().SelectContext(ctx, &rows, `SELECT `+qualified+` FROM journey_enrolments e
		JOIN journeys j ON j.id = e.journey_id AND j.status = 'active'
		WHERE e.status = 'active' AND e.next_run_at <= $1 ORDER BY e.next_run_at, e.id LIMIT $2 FOR UPDATE OF e SKIP LOCKED`, now, n)
	if err != nil {
		return nil, fmt.Errorf("find due enrolments: %w", pg.MapError(err))
	}
	return enrolmentsOf(rows), nil
}

// qualified are enrolmentColumns of the table e.
const qualified = "e.id, e.journey_id, e.contact_id, e.round, e.status, e.step_id, e.next_run_at, e.history, e.entered_at, e.ended_at"

// activeEnrolments reads and locks the active enrolments of the contact
// (every contact when "") in the journey (every journey when "").
func activeEnrolments(ctx context.Context, tx *outbox.Tx, journey, contact string) ([]Enrolment, error) {
	var rows []enrolmentRow
	err := tx.SQL().SelectContext(ctx, &rows, `SELECT `+enrolmentColumns+` FROM journey_enrolments
		WHERE status = 'active' AND ($1 = '' OR journey_id = $1::uuid) AND ($2 = '' OR contact_id = $2::uuid)
		ORDER BY id FOR UPDATE`, journey, contact)
	if err != nil {
		return nil, fmt.Errorf("read active enrolments: %w", pg.MapError(err))
	}
	return enrolmentsOf(rows), nil
}

// listEnrolments reads up to n enrolments of journey, newest first, with
// ids before before ("" from the newest).
func listEnrolments(ctx context.Context, tx *outbox.Tx, journey, before string, n int) ([]Enrolment, error) {
	var rows []enrolmentRow
	err := tx.SQL().SelectContext(ctx, &rows, `SELECT `+enrolmentColumns+` FROM journey_enrolments
		WHERE journey_id = $1 AND ($2 = '' OR id < $2::uuid) ORDER BY id DESC LIMIT $3`, journey, before, n)
	if err != nil {
		return nil, fmt.Errorf("list enrolments: %w", pg.MapError(err))
	}
	return enrolmentsOf(rows), nil
}

// engaged says whether the contact opened or clicked (kind open or click,
// bots left out) the message of the journey's send step on round.
func engaged(ctx context.Context, tx *outbox.Tx, journey, step string, round int, contact, kind string) (bool, error) {
	var ok bool
	err := tx.SQL().GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM sends s
		JOIN messages m ON m.send_id = s.id AND m.contact_id = $4
		JOIN message_events x ON x.message_id = m.id AND x.kind = $5 AND NOT x.bot
		WHERE s.journey_id = $1 AND s.journey_step = $2 AND s.journey_round = $3)`, journey, step, round, contact, kind)
	if err != nil {
		return false, fmt.Errorf("read a journey message's opens and clicks: %w", pg.MapError(err))
	}
	return ok, nil
}

// inSegment says whether the contact is a member of segment now.
func inSegment(ctx context.Context, tx *outbox.Tx, segment, contact string) (bool, error) {
	var ok bool
	err := tx.SQL().GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM segment_members WHERE segment_id = $1 AND contact_id = $2)`,
		segment, contact)
	if err != nil {
		return false, fmt.Errorf("read a segment's membership: %w", pg.MapError(err))
	}
	return ok, nil
}

// tenantsDue lists up to n tenants with enrolments due.
func tenantsDue(ctx context.Context, db *outbox.DB, n int) ([]string, error) {
	var out []string
	if err := db.Pool().SelectContext(ctx, &out, "SELECT tenant_id FROM journeys_tenants_due($1)", n); err != nil {
		return nil, fmt.Errorf("find the tenants with enrolments due: %w", pg.MapError(err))
	}
	return out, nil
}
