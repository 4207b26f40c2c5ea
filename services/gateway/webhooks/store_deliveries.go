package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/services/gateway/webhooks/delivery"
)

// The states of a delivery.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// Delivery is one event to send to one subscription, as the API shows it.
type Delivery struct {
	ID             string     `json:"id" db:"id"`
	SubscriptionID string     `json:"subscriptionId" db:"subscription_id"`
	EventID        string     `json:"eventId" db:"event_id"`
	EventType      string     `json:"eventType" db:"event_type"`
	Subject        string     `json:"subject" db:"subject"`
	Status         string     `json:"status" db:"status"`
	AttemptCount   int        `json:"attempts" db:"attempts"`
	NextAttemptAt  time.Time  `json:"nextAttemptAt" db:"next_attempt_at"`
	LastStatus     *int       `json:"lastStatus" db:"last_status"`
	LastError      string     `json:"lastError" db:"last_error"`
	CreatedAt      time.Time  `json:"createdAt" db:"created_at"`
	DeliveredAt    *time.Time `json:"deliveredAt" db:"delivered_at"`
}

// DeliveryDetail is a delivery with the log of its attempts, oldest first:
// the body of GET /v1/webhooks/deliveries/{id}.
type DeliveryDetail struct {
	Delivery Delivery  `json:"delivery"`
	Attempts []Attempt `json:"attempts"`
}

// Attempt is one HTTP attempt of a delivery.
type Attempt struct {
	N               int             `json:"n" db:"n"`
	At              time.Time       `json:"at" db:"at"`
	DurationMS      int             `json:"durationMs" db:"duration_ms"`
	Status          *int            `json:"status" db:"status"`
	RequestHeaders  json.RawMessage `json:"requestHeaders" db:"request_headers"`
	RequestExcerpt  string          `json:"requestExcerpt" db:"request_excerpt"`
	ResponseHeaders json.RawMessage `json:"responseHeaders" db:"response_headers"`
	ResponseExcerpt string          `json:"responseExcerpt" db:"response_excerpt"`
	Error           string          `json:"error" db:"error"`
}

const deliveryColumns = `id, subscription_id, event_id, event_type, subject, status, attempts, next_attempt_at,
	last_status, last_error, created_at, delivered_at`

// normal puts d's times in UTC.
func (d Delivery) normal() Delivery {
	d.NextAttemptAt, d.CreatedAt, d.DeliveredAt = d.NextAttemptAt.UTC(), d.CreatedAt.UTC(), utc(d.DeliveredAt)
	return d
}

// Deliveries returns up to n deliveries of subscription sub of tenant,
// newest first, those before the id before when it is set, only those of
// status when it is set.
func (s *Store) Deliveries(ctx context.Context, tenant, sub, status, before string, n int) ([]Delivery, error) {
	var out []Delivery
	err := pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		if _, err := getTx(ctx, tx, sub, false); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &out, `SELECT `+deliveryColumns+` FROM webhook_deliveries
			WHERE subscription_id = $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR id < $3::uuid)
			ORDER BY id DESC LIMIT $4`, sub, status, before, n)
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i] = out[i].normal()
	}
	return out, nil
}

// Delivery returns delivery id of tenant with its attempts, oldest first.
func (s *Store) Delivery(ctx context.Context, tenant, id string) (d DeliveryDetail, err error) {
	err = pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &d.Delivery, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE id = $1`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrDeliveryNotFound
		}
		if err != nil {
			return fmt.Errorf("webhooks: read delivery: %w", err)
		}
		return tx.SelectContext(ctx, &d.Attempts, `SELECT n, at, duration_ms, status, request_headers, request_excerpt,
				response_headers, response_excerpt, error
			FROM webhook_attempts WHERE delivery_id = $1 ORDER BY n`, id)
	})
	if err != nil {
		return DeliveryDetail{}, err
	}
	for i := range d.Attempts {
		d.Attempts[i].At = d.Attempts[i].At.UTC()
	}
	if d.Attempts == nil {
		d.Attempts = []Attempt{}
	}
	d.Delivery = d.Delivery.normal()
	return d, nil
}

// Redeliver starts a new attempt series of delivery id of tenant, which
// must not be pending: pending again, no attempts, due now. Its earlier
// attempts stay in the log.
func (s *Store) Redeliver(ctx context.Context, tenant, id string) (d Delivery, err error) {
	err = pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		var status string
		err := tx.GetContext(ctx, &status, `SELECT status FROM webhook_deliveries WHERE id = $1 FOR UPDATE`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrDeliveryNotFound
		}
		if err != nil {
			return fmt.Errorf("webhooks: read delivery: %w", err)
		}
		if status == DeliveryPending {
			return ErrNotRedeliverable
		}
		if err := tx.GetContext(ctx, &d, `UPDATE webhook_deliveries SET status = $2, attempts = 0, next_attempt_at = now(),
				locked_until = NULL, delivered_at = NULL
			WHERE id = $1 RETURNING `+deliveryColumns, id, DeliveryPending); err != nil {
			return fmt.Errorf("webhooks: redeliver: %w", err)
		}
		return signal(ctx, tx)
	})
	return d.normal(), err
}

// Ping queues a delivery of a dev.rapport.webhooks.ping.v1 event to
// subscription sub of tenant, whatever its event types and filter.
func (s *Store) Ping(ctx context.Context, tenant, sub string) (d Delivery, err error) {
	err = pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		if _, err := getTx(ctx, tx, sub, false); err != nil {
			return err
		}
		ev, err := events.New(Source, TypePing, sub, tenant, map[string]string{"subscriptionId": sub})
		if err != nil {
			return err
		}
		body, err := payload(ev)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &d, `INSERT INTO webhook_deliveries (tenant_id, id, subscription_id, event_id, event_type,
				subject, payload, next_attempt_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now()) RETURNING `+deliveryColumns,
			tenant, ids.New(), sub, ev.ID, ev.Type, ev.Subject, body); err != nil {
			return fmt.Errorf("webhooks: queue ping: %w", err)
		}
		return signal(ctx, tx)
	})
	return d.normal(), err
}

// signal wakes the dispatchers at tx's commit.
func signal(ctx context.Context, tx *sqlx.Tx) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, delivery.Channel); err != nil {
		return fmt.Errorf("webhooks: signal: %w", err)
	}
	return nil
}
