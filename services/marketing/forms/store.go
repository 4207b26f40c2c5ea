package forms

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"
)

// formRow is a row of forms.
type formRow struct {
	ID          string         `db:"id"`
	Name        string         `db:"name"`
	CampaignID  sql.NullString `db:"campaign_id"`
	Language    string         `db:"language"`
	Fields      []byte         `db:"fields"`
	Consent     []byte         `db:"consent"`
	SubmitLabel string         `db:"submit_label"`
	ThankYou    string         `db:"thank_you"`
	RedirectURL string         `db:"redirect_url"`
	DoubleOptIn bool           `db:"double_opt_in"`
	Status      string         `db:"status"`
	Rejections  []byte         `db:"rejections"`
	CreatedBy   string         `db:"created_by"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
	Version     int64          `db:"version"`
}

// formColumns are the columns of a formRow.
const formColumns = `id, name, campaign_id, language, fields, consent, submit_label, thank_you, redirect_url, double_opt_in, status,
	rejections, created_by, created_at, updated_at, version`

// form is the Form of r.
func (r formRow) form() (Form, error) {
	f := Form{ID: r.ID, Name: r.Name, CampaignID: r.CampaignID.String, Language: r.Language, SubmitLabel: r.SubmitLabel,
		RedirectURL: r.RedirectURL, DoubleOptIn: r.DoubleOptIn, Status: r.Status, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
	if r.ThankYou != "" {
		f.ThankYou = &ThankYou{Message: r.ThankYou}
	}
	if err := json.Unmarshal(r.Fields, &f.Fields); err != nil {
		return f, fmt.Errorf("read form fields: %w", err)
	}
	if len(r.Consent) > 0 {
		if err := json.Unmarshal(r.Consent, &f.Consent); err != nil {
			return f, fmt.Errorf("read form consent: %w", err)
		}
	}
	if err := json.Unmarshal(r.Rejections, &f.Rejections); err != nil {
		return f, fmt.Errorf("read form rejections: %w", err)
	}
	return f, nil
}

// getForm reads the form id, locked for the transaction when lock.
func getForm(ctx context.Context, tx *outbox.Tx, id string, lock bool) (Form, error) {
	q := "SELECT " + formColumns + " FROM forms WHERE id = $1"
	if lock {
		q += " FOR UPDATE"
	}
	var r formRow
	err := pg.MapError(tx.SQL().GetContext(ctx, &r, q, id))
	if errs.KindOf(err) == errs.NotFound {
		return Form{}, ErrNotFound
	}
	if err != nil {
		return Form{}, fmt.Errorf("read form: %w", err)
	}
	return r.form()
}

// listForms reads up to n forms with ids after after, by id (creation).
func listForms(ctx context.Context, tx *outbox.Tx, after string, n int) ([]Form, error) {
	var rows []formRow
	q := "SELECT " + formColumns + " FROM forms WHERE ($1 = '' OR id > $1::uuid) ORDER BY id LIMIT $2"
	if err := tx.SQL().SelectContext(ctx, &rows, q, after, n); err != nil {
		return nil, fmt.Errorf("list forms: %w", pg.MapError(err))
	}
	out := make([]Form, len(rows))
	for i, r := range rows {
		f, err := r.form()
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

// saveForm inserts f or updates its row (its rejections are counted by
// countRejection alone).
func saveForm(ctx context.Context, tx *outbox.Tx, f Form, insert bool) error {
	fields, err := json.Marshal(f.Fields)
	if err != nil {
		return err
	}
	var consent any
	if f.Consent != nil {
		b, err := json.Marshal(f.Consent)
		if err != nil {
			return err
		}
		consent = string(b)
	}
	thankYou := ""
	if f.ThankYou != nil {
		thankYou = f.ThankYou.Message
	}
	q := `UPDATE forms SET name = $2, campaign_id = $3, language = $4, fields = $5, consent = $6, submit_label = $7, thank_you = $8,
		redirect_url = $9, double_opt_in = $10, status = $11, created_by = $12, created_at = $13, updated_at = $14, version = $15
		WHERE id = $1`
	if insert {
		q = `INSERT INTO forms (tenant_id, id, name, campaign_id, language, fields, consent, submit_label, thank_you, redirect_url,
			double_opt_in, status, created_by, created_at, updated_at, version)
			VALUES (` + pgrecord.CurrentTenant + `, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`
	}
	if _, err := tx.SQL().ExecContext(ctx, q, f.ID, f.Name, pgrecord.OrNull(f.CampaignID), f.Language, string(fields), consent,
		f.SubmitLabel, thankYou, f.RedirectURL, f.DoubleOptIn, f.Status, f.CreatedBy, f.CreatedAt, f.UpdatedAt, f.Version); err != nil {
		return fmt.Errorf("save form: %w", pg.MapError(err))
	}
	return nil
}

// deleteForm removes the form id with its submissions.
func deleteForm(ctx context.Context, tx *outbox.Tx, id string) error {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM forms WHERE id = $1", id); err != nil {
		return fmt.Errorf("delete form: %w", pg.MapError(err))
	}
	return nil
}

// countRejection adds one to the form id's count of rejections for
// reason.
func countRejection(ctx context.Context, tx *outbox.Tx, id, reason string) error {
	if _, err := tx.SQL().ExecContext(ctx, `UPDATE forms SET rejections = jsonb_set(rejections, ARRAY[$2::text],
		to_jsonb(COALESCE((rejections->>$2)::bigint, 0) + 1)) WHERE id = $1`, id, reason); err != nil {
		return fmt.Errorf("count form rejection: %w", pg.MapError(err))
	}
	return nil
}

// hit counts one submission of each of keys to the form id in the rate
// limit's window starting at window, deleting the form's ended windows,
// and returns the most hits of a key in it.
func hit(ctx context.Context, tx *outbox.Tx, id string, window time.Time, keys []string) (int, error) {
	if _, err := tx.SQL().ExecContext(ctx, "DELETE FROM form_rate_limits WHERE form_id = $1 AND window_start < $2", id, window); err != nil {
		return 0, fmt.Errorf("expire form rate limits: %w", pg.MapError(err))
	}
	most := 0
	for _, k := range keys {
		var n int
		if err := tx.SQL().GetContext(ctx, &n, `INSERT INTO form_rate_limits (tenant_id, form_id, window_start, key, hits)
			VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, 1)
			ON CONFLICT (tenant_id, form_id, window_start, key) DO UPDATE SET hits = form_rate_limits.hits + 1
			RETURNING hits`, id, window, k); err != nil {
			return 0, fmt.Errorf("count form rate limit: %w", pg.MapError(err))
		}
		most = max(most, n)
	}
	return most, nil
}

// campaignExists reports whether the campaign id is one of the tenant's.
func campaignExists(ctx context.Context, tx *outbox.Tx, id string) (bool, error) {
	var n int
	if err := tx.SQL().GetContext(ctx, &n, "SELECT count(*) FROM campaigns WHERE id = $1", id); err != nil {
		return false, fmt.Errorf("find the form's campaign: %w", pg.MapError(err))
	}
	return n > 0, nil
}
