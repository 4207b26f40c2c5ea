package delivery

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// job is a claimed delivery with what sending it needs.
type job struct {
	TenantID       string    `db:"tenant_id"`
	ID             string    `db:"id"`
	SubscriptionID string    `db:"subscription_id"`
	EventType      string    `db:"event_type"`
	Payload        []byte    `db:"payload"`
	Attempts       int       `db:"attempts"`
	CreatedAt      time.Time `db:"created_at"`
	LockedUntil    time.Time `db:"locked_until"`
	URL            string    `db:"url"`
	SecretEnc      []byte    `db:"secret_enc"`
}

// dueTenants returns up to max tenants with deliveries due now
// (due_webhook_tenants, migration 0001, reads every tenant's as its owner).
func dueTenants(ctx context.Context, db *sqlx.DB, max int) ([]string, error) {
	var tenants []string
	if err := db.SelectContext(ctx, &tenants, `SELECT tenant_id FROM due_webhook_tenants($1)`, max); err != nil {
		return nil, fmt.Errorf("delivery: due tenants: %w", err)
	}
	return tenants, nil
}

// claim leases up to n deliveries of tx's tenant due now for lease: pending,
// unleased (or their lease over), of an active subscription not throttled,
// and with no earlier (lower seq) delivery of the same subscription and
// subject still pending. Rows another Dispatcher is claiming are skipped.
// That check is the head of the subject's line (min(seq), one probe of
// webhook_deliveries_order per candidate) rather than a NOT EXISTS, which
// on a table not yet analysed the planner ran as a join of every pending
// row with every other (the bench's backlog of 24,000 took seconds per
// claim). Candidates come in next_attempt_at order alone, the due index's,
// so the LIMIT ends the scan early (a tie broken by seq made PostgreSQL
// sort every due row first).
// The candidates are a materialized CTE: a subquery under IN may run more
// than once and lease more than n.
func claim(ctx context.Context, tx *sqlx.Tx, n int, lease time.Duration) ([]job, error) {
	var jobs []job
	err := tx.SelectContext(ctx, &jobs, `
		WITH c AS MATERIALIZED (
			SELECT c.tenant_id, c.id FROM webhook_deliveries c
			JOIN webhook_subscriptions cs ON cs.tenant_id = c.tenant_id AND cs.id = c.subscription_id
			WHERE c.status = 'pending' AND c.next_attempt_at <= now() AND (c.locked_until IS NULL OR c.locked_until <= now())
			  AND cs.status = 'active' AND (cs.throttled_until IS NULL OR cs.throttled_until <= now())
			  AND c.seq = (SELECT min(e.seq) FROM webhook_deliveries e WHERE e.tenant_id = c.tenant_id
				AND e.subscription_id = c.subscription_id AND e.subject = c.subject AND e.status = 'pending')
			ORDER BY c.next_attempt_at LIMIT $1 FOR UPDATE OF c SKIP LOCKED)
		UPDATE webhook_deliveries d SET locked_until = now() + make_interval(secs => $2)
		FROM c, webhook_subscriptions s
		WHERE d.tenant_id = c.tenant_id AND d.id = c.id AND s.tenant_id = d.tenant_id AND s.id = d.subscription_id
		RETURNING d.tenant_id, d.id, d.subscription_id, d.event_type, d.payload, d.attempts, d.created_at,
			d.locked_until, s.url, s.secret_enc`, n, lease.Seconds())
	if err != nil {
		return nil, fmt.Errorf("delivery: claim: %w", err)
	}
	return jobs, nil
}

// attempt is one try's record (webhook_attempts).
type attempt struct {
	At              time.Time
	Duration        time.Duration
	RequestHeaders  map[string]string
	RequestExcerpt  string
	Status          int // 0: no response
	ResponseHeaders map[string]string
	ResponseExcerpt string
	Error           string
}

// logAttempt records a of delivery j, numbered after the delivery's last.
func logAttempt(ctx context.Context, tx *sqlx.Tx, j *job, a attempt) error {
	reqH, err := json.Marshal(a.RequestHeaders)
	if err != nil {
		return err
	}
	respH, err := json.Marshal(a.ResponseHeaders)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO webhook_attempts (tenant_id, delivery_id, n, at, duration_ms, request_headers,
			request_excerpt, status, response_headers, response_excerpt, error)
		SELECT $1, $2, COALESCE(max(n), 0) + 1, $3, $4, $5, $6, $7, $8, $9, $10
		FROM webhook_attempts WHERE tenant_id = $1 AND delivery_id = $2`,
		j.TenantID, j.ID, a.At, a.Duration.Milliseconds(), reqH, a.RequestExcerpt,
		sql.NullInt64{Int64: int64(a.Status), Valid: a.Status != 0}, respH, a.ResponseExcerpt, a.Error)
	if err != nil {
		return fmt.Errorf("delivery: log attempt: %w", err)
	}
	return nil
}

// settle writes the outcome of j's attempt if j's lease still holds:
// status ('pending' again with nextAt, 'succeeded' or 'failed'). It
// reports whether the lease held.
func settle(ctx context.Context, tx *sqlx.Tx, j *job, status string, nextAt time.Time, a attempt) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = $3, attempts = attempts + 1, next_attempt_at = $4,
			locked_until = NULL, last_status = $5, last_error = $6,
			delivered_at = CASE WHEN $3 = 'succeeded' THEN now() END
		WHERE tenant_id = $1 AND id = $2 AND status = 'pending' AND locked_until = $7`,
		j.TenantID, j.ID, status, nextAt, sql.NullInt64{Int64: int64(a.Status), Valid: a.Status != 0}, a.Error, j.LockedUntil)
	if err != nil {
		return false, fmt.Errorf("delivery: settle: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// markFailing sets the subscription's failing_since if unset, and its
// throttled_until when throttle is not zero; it returns failing_since.
func markFailing(ctx context.Context, tx *sqlx.Tx, j *job, throttle time.Time) (time.Time, error) {
	var since time.Time
	err := tx.QueryRowxContext(ctx, `UPDATE webhook_subscriptions
		SET failing_since = COALESCE(failing_since, now()),
			throttled_until = CASE WHEN $3::timestamptz IS NULL THEN throttled_until ELSE $3 END
		WHERE tenant_id = $1 AND id = $2 RETURNING failing_since`,
		j.TenantID, j.SubscriptionID, sql.NullTime{Time: throttle, Valid: !throttle.IsZero()}).Scan(&since)
	if err != nil {
		return since, fmt.Errorf("delivery: mark failing: %w", err)
	}
	return since, nil
}

// disable disables the active subscription of j with reason and fails its
// pending deliveries; it reports whether it was active (then the caller
// runs OnDisabled in tx).
func disable(ctx context.Context, tx *sqlx.Tx, j *job, reason string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = $3,
			disabled_at = now(), throttled_until = NULL, updated_at = now(), version = version + 1
		WHERE tenant_id = $1 AND id = $2 AND status = 'active'`, j.TenantID, j.SubscriptionID, reason)
	if err != nil {
		return false, fmt.Errorf("delivery: disable: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'failed', locked_until = NULL, last_error = $3
		WHERE tenant_id = $1 AND subscription_id = $2 AND status = 'pending'`, j.TenantID, j.SubscriptionID, reason); err != nil {
		return false, fmt.Errorf("delivery: fail pending deliveries: %w", err)
	}
	return true, nil
}
