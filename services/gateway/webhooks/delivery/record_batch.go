package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/pg"
)

// recordBatch bounds the successes one transaction records, and
// recordWait how long the recorder waits for more after the first.
const (
	recordBatch = 256
	recordWait  = 5 * time.Millisecond
)

// success is an attempt answered 2xx, waiting for the recorder.
type success struct {
	j *job
	a attempt
}

// recordSuccesses records the successes of in, a batch per tenant in one
// transaction (the attempts logged, the deliveries settled, the
// subscriptions healthy), until in is closed. Recording each in its own
// transaction was the most of a delivery's cost: a busy Dispatcher's
// workers waited on the pool's connections and their commits. A delivery
// stays pending, leased, until its batch commits, so the next one of its
// subject is not sent before.
func (d *Dispatcher) recordSuccesses(in <-chan success) {
	batch := make([]success, 0, recordBatch)
	for s := range in {
		batch = append(batch[:0], s)
		timer := time.NewTimer(recordWait)
	fill:
		for len(batch) < recordBatch {
			select {
			case s, ok := <-in:
				if !ok {
					break fill
				}
				batch = append(batch, s)
			case <-timer.C:
				break fill
			}
		}
		timer.Stop()
		byTenant := map[string][]success{}
		for _, s := range batch {
			byTenant[s.j.TenantID] = append(byTenant[s.j.TenantID], s)
		}
		for tenant, ss := range byTenant {
			if err := d.recordTenant(tenant, ss); err != nil {
				d.cfg.Logger.Error("webhook deliveries: successes not recorded; their leases run out and they are sent again",
					"tenant_id", tenant, "count", len(ss), "error", err.Error())
			}
		}
	}
}

// recordTenant records ss, successes of tenant's deliveries, in one
// transaction: what record does for one, for each whose lease held.
func (d *Dispatcher) recordTenant(tenant string, ss []success) error {
	ctx := context.Background()
	var settled []string
	err := pg.WithTenantTx(ctx, d.db, tenant, func(tx *sqlx.Tx) error {
		if err := logSuccesses(ctx, tx, tenant, ss); err != nil {
			return err
		}
		var err error
		settled, err = settleSuccesses(ctx, tx, tenant, ss)
		return err
	})
	if err != nil {
		return err
	}
	now, byID := time.Now(), make(map[string]*job, len(ss))
	for _, s := range ss {
		byID[s.j.ID] = s.j
	}
	for _, id := range settled {
		d.metrics.attempt(outcomeSucceeded)
		d.metrics.delivered(now.Sub(eventTime(byID[id])))
	}
	return nil
}

// logSuccesses logs the attempt of each of ss, numbered after its
// delivery's last (logAttempt's numbering).
func logSuccesses(ctx context.Context, tx *sqlx.Tx, tenant string, ss []success) error {
	n := len(ss)
	ids, at, reqH, reqX, respH, respX := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	ms, status := make([]int64, n), make([]int64, n)
	for i, s := range ss {
		q, err := json.Marshal(s.a.RequestHeaders)
		if err != nil {
			return err
		}
		r, err := json.Marshal(s.a.ResponseHeaders)
		if err != nil {
			return err
		}
		ids[i], at[i], reqH[i], reqX[i], respH[i], respX[i] = s.j.ID, s.a.At.Format(time.RFC3339Nano), string(q), s.a.RequestExcerpt, string(r), s.a.ResponseExcerpt
		ms[i], status[i] = s.a.Duration.Milliseconds(), int64(s.a.Status)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (tenant_id, delivery_id, n, at, duration_ms, request_headers,
			request_excerpt, status, response_headers, response_excerpt, error)
		SELECT $1, u.id, COALESCE((SELECT max(a.n) FROM webhook_attempts a WHERE a.tenant_id = $1 AND a.delivery_id = u.id), 0) + 1,
			u.at, u.ms, u.reqh, u.reqx, u.status, u.resph, u.respx, ''
		FROM unnest($2::uuid[], $3::text[]::timestamptz[], $4::bigint[], $5::text[]::jsonb[], $6::text[], $7::bigint[],
			$8::text[]::jsonb[], $9::text[]) AS u(id, at, ms, reqh, reqx, status, resph, respx)`,
		tenant, pq.StringArray(ids), pq.StringArray(at), pq.Int64Array(ms), pq.StringArray(reqH), pq.StringArray(reqX),
		pq.Int64Array(status), pq.StringArray(respH), pq.StringArray(respX))
	if err != nil {
		return fmt.Errorf("delivery: log attempts: %w", err)
	}
	return nil
}

// settleSuccesses marks each of ss succeeded whose lease still holds and
// clears its subscription's failing_since; it returns the ids settled.
func settleSuccesses(ctx context.Context, tx *sqlx.Tx, tenant string, ss []success) ([]string, error) {
	n := len(ss)
	ids, leases, status := make([]string, n), make([]string, n), make([]int64, n)
	for i, s := range ss {
		ids[i], leases[i], status[i] = s.j.ID, s.j.LockedUntil.Format(time.RFC3339Nano), int64(s.a.Status)
	}
	var settled []struct {
		ID           string `db:"id"`
		Subscription string `db:"subscription_id"`
	}
	err := tx.SelectContext(ctx, &settled, `UPDATE webhook_deliveries d SET status = 'succeeded', attempts = d.attempts + 1,
			next_attempt_at = now(), locked_until = NULL, last_status = u.status, last_error = '', delivered_at = now()
		FROM unnest($2::uuid[], $3::text[]::timestamptz[], $4::bigint[]) AS u(id, lease, status)
		WHERE d.tenant_id = $1 AND d.id = u.id AND d.status = 'pending' AND d.locked_until = u.lease
		RETURNING d.id, d.subscription_id`, tenant, pq.StringArray(ids), pq.StringArray(leases), pq.Int64Array(status))
	if err != nil {
		return nil, fmt.Errorf("delivery: settle successes: %w", err)
	}
	out, subs := make([]string, len(settled)), pq.StringArray{}
	for i, s := range settled {
		out[i] = s.ID
		subs = append(subs, s.Subscription)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET failing_since = NULL
		WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND failing_since IS NOT NULL`, tenant, subs); err != nil {
		return nil, fmt.Errorf("delivery: mark healthy: %w", err)
	}
	return out, nil
}
