package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/ids"
)

// The states of a queued email (notification_emails, migration 0002): one
// sent is deleted.
const (
	EmailPending = "pending"
	EmailFailed  = "failed"
)

// queueEmail adds the email of n to user, due at once, in tx (a
// transaction of tenant's: the one storing the notification).
func queueEmail(ctx context.Context, tx *sqlx.Tx, tenant, user string, n Notification) error {
	params, err := json.Marshal(n.Params)
	if err != nil {
		return fmt.Errorf("notify: email params: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notification_emails (tenant_id, id, user_id, kind, params, link, next_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, tenant, ids.New(), user, n.Kind, params, n.Link, n.CreatedAt)
	if err != nil {
		return fmt.Errorf("notify: queue email: %w", err)
	}
	return nil
}

// dueEmailTenants returns up to max tenants with emails due by now, the one
// with the oldest due email first (due_notification_email_tenants,
// migration 0002, reads every tenant's queue as its owner).
func dueEmailTenants(ctx context.Context, db *sqlx.DB, max int) ([]string, error) {
	var tenants []string
	if err := db.SelectContext(ctx, &tenants, `SELECT tenant_id FROM due_notification_email_tenants($1)`, max); err != nil {
		return nil, fmt.Errorf("notify: find due emails: %w", err)
	}
	return tenants, nil
}

// emailJob is a queued email as a Sender claims it, with its recipient as
// the users table has them now ("" where the user is gone).
type emailJob struct {
	ID       string `db:"id"`
	UserID   string `db:"user_id"`
	Kind     string `db:"kind"`
	Params   []byte `db:"params"`
	Link     string `db:"link"`
	Attempts int    `db:"attempts"`
	Email    string `db:"email"`
	Name     string `db:"name"`
	Locale   string `db:"locale"`
	TimeZone string `db:"time_zone"`
	Status   string `db:"status"`
}

// claimEmail locks the oldest email of tx's tenant due by now that no other
// transaction holds and returns it; nil when there is none. The lock holds
// until tx ends, so no other Sender takes it meanwhile.
func claimEmail(ctx context.Context, tx *sqlx.Tx) (*emailJob, error) {
	var j emailJob
	err := tx.GetContext(ctx, &j, `SELECT e.id, e.user_id, e.kind, e.params, e.link, e.attempts,
			COALESCE(u.email, '') AS email, COALESCE(u.name, '') AS name, COALESCE(u.locale, '') AS locale,
			COALESCE(u.time_zone, '') AS time_zone, COALESCE(u.status, '') AS status
		FROM notification_emails e LEFT JOIN users u ON u.tenant_id = e.tenant_id AND u.id = e.user_id
		WHERE e.state = $1 AND e.next_at <= now()
		ORDER BY e.next_at LIMIT 1 FOR UPDATE OF e SKIP LOCKED`, EmailPending)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("notify: claim email: %w", err)
	}
	return &j, nil
}

// dropEmail deletes email id of tx's tenant: sent, or not to be sent.
func dropEmail(ctx context.Context, tx *sqlx.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM notification_emails WHERE id = $1`, id); err != nil {
		return fmt.Errorf("notify: delete email: %w", err)
	}
	return nil
}

// retryEmail notes a refused attempt of email id (attempts in all, the last
// one's error) and makes it due again after wait.
func retryEmail(ctx context.Context, tx *sqlx.Tx, id string, attempts int, wait time.Duration, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE notification_emails SET attempts = $2, last_error = $3,
			next_at = now() + make_interval(secs => $4)
		WHERE id = $1`, id, attempts, reason, wait.Seconds()); err != nil {
		return fmt.Errorf("notify: reschedule email: %w", err)
	}
	return nil
}

// failEmail marks email id failed after attempts, with the last error: it
// is never tried again, and stays for an operator to read.
func failEmail(ctx context.Context, tx *sqlx.Tx, id string, attempts int, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE notification_emails SET state = $2, attempts = $3, last_error = $4 WHERE id = $1`,
		id, EmailFailed, attempts, reason); err != nil {
		return fmt.Errorf("notify: mark email failed: %w", err)
	}
	return nil
}
