package delivery

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// ReasonGone is the disabled_reason of a subscription whose endpoint
// answered 410.
const ReasonGone = "the endpoint answered 410 Gone"

// ReasonFailing is the disabled_reason of a subscription whose deliveries
// failed for DisableAfter.
const ReasonFailing = "the endpoint failed every delivery for too long"

// deliver sends j and records its outcome. When ctx ends during the
// attempt nothing is recorded: the lease runs out and the delivery is sent
// again.
func (d *Dispatcher) deliver(ctx context.Context, j *job) {
	log := d.cfg.Logger.With("tenant_id", j.TenantID, "delivery_id", j.ID, "subscription_id", j.SubscriptionID)
	var r result
	if secret, err := d.cfg.Open(j.SecretEnc); err != nil {
		r = result{attempt: attempt{At: time.Now(), RequestExcerpt: excerpt(j.Payload), Error: "the subscription's secret could not be opened"}}
		log.Error("webhook delivery: secret not opened", "error", err.Error())
	} else {
		r = d.send(ctx, j, secret)
	}
	if ctx.Err() != nil {
		return
	}
	if r.Status >= 200 && r.Status <= 299 {
		d.succeeded <- success{j: j, a: r.attempt}
		return
	}
	rctx := context.WithoutCancel(ctx)
	err := pg.WithTenantTx(rctx, d.db, j.TenantID, func(tx *sqlx.Tx) error {
		return d.record(rctx, tx, j, r)
	})
	if err != nil {
		log.Error("webhook delivery: outcome not recorded", "error", err.Error())
	}
}

// record logs r, an answer other than 2xx (recordSuccesses records
// those), and settles j per it: 410 failed and the subscription disabled;
// otherwise retried after the next wait of the schedule (429, 502 and 504 throttle the subscription until then, or
// until Retry-After) or failed once the schedule is exhausted, and the
// subscription disabled once it has been failing for DisableAfter.
func (d *Dispatcher) record(ctx context.Context, tx *sqlx.Tx, j *job, r result) error {
	if err := logAttempt(ctx, tx, j, r.attempt); err != nil {
		return err
	}
	now := time.Now()
	if r.Status == http.StatusGone {
		if ok, err := settle(ctx, tx, j, "failed", now, r.attempt); err != nil || !ok {
			return err
		}
		d.metrics.attempt(outcomeGone)
		return d.disable(ctx, tx, j, ReasonGone)
	}
	wait := d.backoff(j.Attempts + 1)
	status, outcome := "pending", outcomeRetrying
	if wait < 0 {
		status, outcome = "failed", outcomeFailed
	}
	var throttle time.Time
	if r.Status == http.StatusTooManyRequests || r.Status == http.StatusBadGateway || r.Status == http.StatusGatewayTimeout {
		if r.retryAfter > 0 {
			wait = min(r.retryAfter, d.cfg.DisableAfter)
		}
		throttle = now.Add(max(wait, 0))
		if status == "pending" {
			outcome = outcomeThrottled
		}
	}
	if ok, err := settle(ctx, tx, j, status, now.Add(max(wait, 0)), r.attempt); err != nil || !ok {
		return err
	}
	d.metrics.attempt(outcome)
	since, err := markFailing(ctx, tx, j, throttle)
	if err != nil || now.Sub(since) < d.cfg.DisableAfter {
		return err
	}
	return d.disable(ctx, tx, j, ReasonFailing)
}

// disable disables j's subscription for reason and, if it was active,
// runs OnDisabled in tx.
func (d *Dispatcher) disable(ctx context.Context, tx *sqlx.Tx, j *job, reason string) error {
	was, err := disable(ctx, tx, j, reason)
	if err != nil || !was {
		return err
	}
	d.cfg.Logger.Warn("webhook subscription disabled", "tenant_id", j.TenantID, "subscription_id", j.SubscriptionID, "reason", reason)
	if d.cfg.OnDisabled == nil {
		return nil
	}
	return d.cfg.OnDisabled(ctx, tx, j.TenantID, j.SubscriptionID, reason)
}

// backoff is the wait before attempt n+1 after attempt n failed,
// Schedule[n] ±10 %; negative once the schedule is exhausted.
func (d *Dispatcher) backoff(n int) time.Duration {
	if n >= len(d.cfg.Schedule) {
		return -1
	}
	w := d.cfg.Schedule[n]
	return w + time.Duration((rand.Float64()*0.2-0.1)*float64(w))
}

// eventTime is the time of j's event (its CloudEvent's time), or when the
// delivery was made without one.
func eventTime(j *job) time.Time {
	var ev struct {
		Time time.Time `json:"time"`
	}
	if err := json.Unmarshal(j.Payload, &ev); err != nil || ev.Time.IsZero() {
		return j.CreatedAt
	}
	return ev.Time
}
