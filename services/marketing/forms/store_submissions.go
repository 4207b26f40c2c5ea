package forms

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// Submission is a stored submission of a form, as its list shows it.
type Submission struct {
	ID     string `json:"id"`
	FormID string `json:"formId"`
	// Status is confirmed, pending_confirmation or rejected:<reason>
	// (rejected:suppressed, rejected:undeliverable).
	Status      string     `json:"status"`
	Email       string     `json:"email,omitempty"`
	Data        Data       `json:"data"`
	ClientIP    string     `json:"clientIp,omitempty"`
	UserAgent   string     `json:"userAgent,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	ConfirmedAt *time.Time `json:"confirmedAt,omitempty"`
}

// The stored statuses of a submission, and the reasons of a rejected one.
const (
	SubmissionConfirmed = "confirmed"
	SubmissionPending   = "pending_confirmation"
	SubmissionRejected  = "rejected"

	ReasonSuppressed    = "suppressed"
	ReasonUndeliverable = "undeliverable"
)

// submissionRow is a row of form_submissions.
type submissionRow struct {
	ID          string       `db:"id"`
	FormID      string       `db:"form_id"`
	Status      string       `db:"status"`
	Reason      string       `db:"reason"`
	Email       string       `db:"email"`
	Data        []byte       `db:"data"`
	ClientIP    string       `db:"client_ip"`
	UserAgent   string       `db:"user_agent"`
	CreatedAt   time.Time    `db:"created_at"`
	ConfirmedAt sql.NullTime `db:"confirmed_at"`
}

// submissionColumns are the columns of a submissionRow.
const submissionColumns = "id, form_id, status, reason, email, data, client_ip, user_agent, created_at, confirmed_at"

// submission is the Submission of r.
func (r submissionRow) submission() (Submission, error) {
	s := Submission{ID: r.ID, FormID: r.FormID, Status: r.Status, Email: r.Email, ClientIP: r.ClientIP, UserAgent: r.UserAgent,
		CreatedAt: r.CreatedAt.UTC()}
	if r.Reason != "" {
		s.Status += ":" + r.Reason
	}
	if r.ConfirmedAt.Valid {
		at := r.ConfirmedAt.Time.UTC()
		s.ConfirmedAt = &at
	}
	if err := json.Unmarshal(r.Data, &s.Data); err != nil {
		return s, fmt.Errorf("read form submission: %w", err)
	}
	return s, nil
}

// insertSubmission stores s with status and reason.
func insertSubmission(ctx context.Context, tx *outbox.Tx, s Submission, status, reason string) error {
	data, err := json.Marshal(s.Data)
	if err != nil {
		return err
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO form_submissions (tenant_id, `+submissionColumns+`)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.FormID, status, reason, s.Email, string(data), s.ClientIP, s.UserAgent, s.CreatedAt, s.ConfirmedAt); err != nil {
		return fmt.Errorf("save form submission: %w", pg.MapError(err))
	}
	return nil
}

// getSubmission reads the submission id of the form formID, locked for
// the transaction; ErrSubmissionNotFound if there is none.
func getSubmission(ctx context.Context, tx *outbox.Tx, formID, id string) (Submission, string, error) {
	var r submissionRow
	err := tx.SQL().GetContext(ctx, &r, "SELECT "+submissionColumns+" FROM form_submissions WHERE id = $1 AND form_id = $2 FOR UPDATE",
		id, formID)
	if errors.Is(err, sql.ErrNoRows) {
		return Submission{}, "", ErrSubmissionNotFound
	}
	if err != nil {
		return Submission{}, "", fmt.Errorf("read form submission: %w", pg.MapError(err))
	}
	s, err := r.submission()
	return s, r.Status, err
}

// confirmSubmission marks the submission id confirmed at, with its data.
func confirmSubmission(ctx context.Context, tx *outbox.Tx, id string, data Data, at time.Time) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE form_submissions SET status = $2, confirmed_at = $3, data = $4 WHERE id = $1",
		id, SubmissionConfirmed, at, string(raw)); err != nil {
		return fmt.Errorf("confirm form submission: %w", pg.MapError(err))
	}
	return nil
}

// rejectSubmission marks the submission id rejected for reason.
func rejectSubmission(ctx context.Context, tx *outbox.Tx, id, reason string) error {
	if _, err := tx.SQL().ExecContext(ctx, "UPDATE form_submissions SET status = $2, reason = $3 WHERE id = $1",
		id, SubmissionRejected, reason); err != nil {
		return fmt.Errorf("reject form submission: %w", pg.MapError(err))
	}
	return nil
}

// listSubmissions reads up to n submissions of the form formID with ids
// before before ("" for the newest), newest first.
func listSubmissions(ctx context.Context, tx *outbox.Tx, formID, before string, n int) ([]Submission, error) {
	var rows []submissionRow
	if err := tx.SQL().SelectContext(ctx, &rows, "SELECT "+submissionColumns+` FROM form_submissions
		WHERE form_id = $1 AND ($2 = '' OR id < $2::uuid) ORDER BY id DESC LIMIT $3`, formID, before, n); err != nil {
		return nil, fmt.Errorf("list form submissions: %w", pg.MapError(err))
	}
	out := make([]Submission, len(rows))
	for i, r := range rows {
		s, err := r.submission()
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// contactByEmail returns the id of the audience's contact with address
// ("" for none; the most recently changed of several).
func contactByEmail(ctx context.Context, tx *outbox.Tx, address string) (string, error) {
	if address == "" {
		return "", nil
	}
	var id string
	err := tx.SQL().GetContext(ctx, &id, "SELECT id FROM audience_contacts WHERE email = $1 ORDER BY updated_at DESC LIMIT 1", address)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find the submitter's contact: %w", pg.MapError(err))
	}
	return id, nil
}

// suppressed reports whether address is on the tenant's suppression list
// for email.
func suppressed(ctx context.Context, tx *outbox.Tx, address string) (bool, error) {
	var n int
	if err := tx.SQL().GetContext(ctx, &n, "SELECT count(*) FROM suppressions WHERE channel = 'email' AND address = $1", address); err != nil {
		return false, fmt.Errorf("check the suppression list: %w", pg.MapError(err))
	}
	return n > 0, nil
}
