package surveys

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// Survey is a survey sent or to send: CSAT of a solved case (CaseID, with
// its number and subject, and its agent and queue when it was solved) or
// NPS of a period, to a requester's address; once answered, its score
// (1-5 CSAT, 0-10 NPS) and comment.
type Survey struct {
	ID          string     `json:"id" db:"id"`
	Kind        string     `json:"kind" db:"kind"`
	CaseID      *string    `json:"caseId,omitempty" db:"case_id"`
	CaseNumber  *int64     `json:"caseNumber,omitempty" db:"case_number"`
	ContactID   *string    `json:"contactId,omitempty" db:"contact_id"`
	Subject     string     `json:"subject,omitempty" db:"subject"`
	AgentID     string     `json:"agentId,omitempty" db:"agent_id"`
	QueueID     string     `json:"queueId,omitempty" db:"queue_id"`
	Address     string     `json:"address" db:"address"`
	Name        string     `json:"name,omitempty" db:"name"`
	PeriodStart *time.Time `json:"periodStart,omitempty" db:"period_start"`
	Status      string     `json:"status" db:"status"`
	SendAfter   time.Time  `json:"sendAfter" db:"send_after"`
	SentAt      *time.Time `json:"sentAt,omitempty" db:"sent_at"`
	ExpiresAt   *time.Time `json:"expiresAt,omitempty" db:"expires_at"`
	Score       *int       `json:"score,omitempty" db:"score"`
	Comment     string     `json:"comment,omitempty" db:"comment"`
	Low         bool       `json:"low" db:"low"`
	AnsweredAt  *time.Time `json:"answeredAt,omitempty" db:"answered_at"`
	CreatedAt   time.Time  `json:"createdAt" db:"created_at"`
}

// columns are the columns of a Survey.
const columns = `id, kind, case_id, case_number, contact_id, subject, agent_id, queue_id, address, name, period_start, status, send_after,
	sent_at, expires_at, score, comment, low, answered_at, created_at`

// utc gives s's times in UTC.
func (s *Survey) utc() {
	for _, t := range []*time.Time{&s.SendAfter, &s.CreatedAt} {
		*t = t.UTC()
	}
	for _, t := range []**time.Time{&s.PeriodStart, &s.SentAt, &s.ExpiresAt, &s.AnsweredAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
}

// insertSurvey stores s unless its case (CSAT) or its address and period
// (NPS) has one already; added says whether it did.
func insertSurvey(ctx context.Context, tx *outbox.Tx, s *Survey) (added bool, err error) {
	res, err := tx.SQL().ExecContext(ctx, `INSERT INTO surveys (tenant_id, id, kind, case_id, case_number, contact_id, subject, agent_id,
			queue_id, address, name, period_start, status, send_after, created_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`,
		s.ID, s.Kind, s.CaseID, s.CaseNumber, s.ContactID, s.Subject, s.AgentID, s.QueueID, s.Address, s.Name, s.PeriodStart, s.Status, s.SendAfter,
		s.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("add survey: %w", pg.MapError(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// getSurvey reads the survey id of tx's tenant, locked when lock; none is
// ErrNotFound.
func getSurvey(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Survey, error) {
	q := `SELECT ` + columns + ` FROM surveys WHERE id = $1`
	if lock {
		q += ` FOR UPDATE`
	}
	var s Survey
	err := tx.SQL().GetContext(ctx, &s, q, id)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("read survey: %w", pg.MapError(err))
	}
	s.utc()
	return s, nil
}

// dueSurveys claims up to n of tx's tenant's pending surveys due at now,
// skipping those another instance holds.
func dueSurveys(ctx context.Context, tx *outbox.Tx, now time.Time, n int) ([]Survey, error) {
	var out []Survey
	err := tx.SQL().SelectContext(ctx, &out, `SELECT `+columns+` FROM surveys WHERE status = 'pending' AND send_after <= $1
		ORDER BY send_after LIMIT $2 FOR UPDATE SKIP LOCKED`, now, n)
	if err != nil {
		return nil, fmt.Errorf("read due surveys: %w", pg.MapError(err))
	}
	for i := range out {
		out[i].utc()
	}
	return out, nil
}

// dropPending removes tx's tenant's surveys of kind not sent yet.
func dropPending(ctx context.Context, tx *outbox.Tx, kind string) error {
	if _, err := tx.SQL().ExecContext(ctx, `DELETE FROM surveys WHERE kind = $1 AND status = 'pending'`, kind); err != nil {
		return fmt.Errorf("drop pending surveys: %w", pg.MapError(err))
	}
	return nil
}

// postpone moves the survey id's sending to at (a mail the relay
// refused).
func postpone(ctx context.Context, tx *outbox.Tx, id string, at time.Time) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE surveys SET send_after = $2 WHERE id = $1`, id, at); err != nil {
		return fmt.Errorf("postpone survey: %w", pg.MapError(err))
	}
	return nil
}

// markSent records that s was sent at sentAt, its link valid until
// expiresAt.
func markSent(ctx context.Context, tx *outbox.Tx, s *Survey, sentAt, expiresAt time.Time) error {
	s.Status, s.SentAt, s.ExpiresAt = StatusSent, &sentAt, &expiresAt
	_, err := tx.SQL().ExecContext(ctx, `UPDATE surveys SET status = $2, sent_at = $3, expires_at = $4 WHERE id = $1`,
		s.ID, s.Status, sentAt, expiresAt)
	if err != nil {
		return fmt.Errorf("mark survey sent: %w", pg.MapError(err))
	}
	return nil
}

// saveAnswer records s's answer.
func saveAnswer(ctx context.Context, tx *outbox.Tx, s *Survey) error {
	_, err := tx.SQL().ExecContext(ctx, `UPDATE surveys SET status = $2, score = $3, comment = $4, low = $5, answered_at = $6 WHERE id = $1`,
		s.ID, s.Status, s.Score, s.Comment, s.Low, s.AnsweredAt)
	if err != nil {
		return fmt.Errorf("save survey answer: %w", pg.MapError(err))
	}
	return nil
}

// requester is a case's requester: whom its surveys go to, and the
// case's contact.
type requester struct {
	Address   string  `db:"address"`
	Name      string  `db:"name"`
	ContactID *string `db:"contact_id"`
}

// requesterSQL reads the requester of the case c: the email channel's
// requester of a case opened by a person's mail, else the first customer
// entry's author with an address; a case opened by an automatic mail (an
// auto-reply, a loop) has none.
const requesterSQL = `SELECT address, name FROM (
		SELECT r.address, r.name, 0 AS rank, r.created_at FROM email_requesters r WHERE r.case_id = c.id AND NOT r.automatic
		UNION ALL
		SELECT e.author_email, e.author_name, 1, e.created_at FROM case_entries e
		WHERE e.case_id = c.id AND e.author_type = 'customer' AND e.author_email <> ''
			AND NOT EXISTS (SELECT 1 FROM email_requesters r WHERE r.case_id = c.id AND r.automatic)
	) a ORDER BY rank, created_at LIMIT 1`

// requesterOf reads the requester of the case id of tx's tenant; ok is
// false when it has none with an address.
func requesterOf(ctx context.Context, tx *outbox.Tx, id string) (r requester, ok bool, err error) {
	var found []requester
	err = tx.SQL().SelectContext(ctx, &found, `SELECT q.address, q.name, c.contact_id FROM cases c CROSS JOIN LATERAL (`+requesterSQL+`) q
		WHERE c.id = $1`, id)
	if err != nil {
		return r, false, fmt.Errorf("read the requester of case %s: %w", id, pg.MapError(err))
	}
	if len(found) == 0 {
		return r, false, nil
	}
	return found[0], true, nil
}

// solvedRequesters reads the requesters of tx's tenant's cases solved in
// [from, to), one per address.
func solvedRequesters(ctx context.Context, tx *outbox.Tx, from, to time.Time) ([]requester, error) {
	var out []requester
	err := tx.SQL().SelectContext(ctx, &out, `SELECT DISTINCT ON (lower(q.address)) q.address, q.name, c.contact_id
		FROM cases c CROSS JOIN LATERAL (`+requesterSQL+`) q
		WHERE c.solved_at >= $1 AND c.solved_at < $2 AND c.status IN ('solved', 'closed') AND c.deleted_at IS NULL
		ORDER BY lower(q.address), c.solved_at`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read the requesters of solved cases: %w", pg.MapError(err))
	}
	return out, nil
}
