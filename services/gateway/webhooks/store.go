package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/services/gateway/internal/secretbox"
	"github.com/rapport-crm/rapport/services/gateway/webhooks/delivery"
)

// Source is the CloudEvents source of the gateway's webhook events.
const Source = "/rapport/gateway"

// The event types of the gateway's webhooks (api/asyncapi.yaml); TypePing
// is only ever delivered, never published.
const (
	TypeCreated  = "dev.rapport.webhooks.subscription.created.v1"
	TypeUpdated  = "dev.rapport.webhooks.subscription.updated.v1"
	TypeDeleted  = "dev.rapport.webhooks.subscription.deleted.v1"
	TypeDisabled = "dev.rapport.webhooks.subscription.disabled.v1"
	TypeEnabled  = "dev.rapport.webhooks.subscription.enabled.v1"
	TypePing     = "dev.rapport.webhooks.ping.v1"
)

// Events is the catalogue of the gateway's events on its topic
// (api/asyncapi.yaml); TypePing is not among them.
var Events = events.Catalogue{Source: Source, Context: Context, Verbs: map[string][]string{
	"subscription": {"created", "updated", "deleted", "disabled", "enabled"},
}}

// Store reads and writes a tenant's subscriptions and deliveries as the
// gateway's runtime role, under row-level security, adding the
// subscriptions' events to the outbox in the same transactions.
type Store struct {
	db     *sqlx.DB
	sealer *secretbox.Box
	topic  string
	cache  *Cache
}

// NewStore returns a Store over db, sealing secrets with sealer, its events
// for topic (events.Topic(prefix, "webhooks")), telling cache (may be nil)
// of every change of a tenant's subscriptions.
func NewStore(db *sqlx.DB, sealer *secretbox.Box, topic string, cache *Cache) *Store {
	return &Store{db: db, sealer: sealer, topic: topic, cache: cache}
}

// inTx runs fn in a transaction of tenant and, once it committed, drops the
// tenant's cached subscriptions.
func (s *Store) inTx(ctx context.Context, tenant string, fn func(tx *sqlx.Tx) error) error {
	err := pg.WithTenantTx(ctx, s.db, tenant, fn)
	if err == nil && s.cache != nil {
		s.cache.Forget(tenant)
	}
	return err
}

// emit adds the event typ about sub (its data: sub without the secret, with
// extra's members) to the outbox in tx.
func (s *Store) emit(ctx context.Context, tx *sqlx.Tx, tenant, typ string, sub Subscription, extra map[string]any) error {
	sub.Secret = ""
	var data any = sub
	if len(extra) > 0 {
		m, err := asMap(sub)
		if err != nil {
			return err
		}
		for k, v := range extra {
			m[k] = v
		}
		data = m
	}
	ev, err := events.New(Source, typ, sub.ID, tenant, data)
	if err != nil {
		return err
	}
	return outbox.Add(ctx, tx, s.topic, ev)
}

// getTx reads subscription id in tx, locked when lock; ErrNotFound if
// there is none.
func getTx(ctx context.Context, tx *sqlx.Tx, id string, lock bool) (Subscription, error) {
	q := `SELECT ` + subscriptionColumns + ` FROM webhook_subscriptions WHERE id = $1`
	if lock {
		q += ` FOR UPDATE`
	}
	var r subscriptionRow
	err := tx.GetContext(ctx, &r, q, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Subscription{}, ErrNotFound
	}
	if err != nil {
		return Subscription{}, fmt.Errorf("webhooks: read subscription: %w", err)
	}
	return r.subscription()
}

// List returns up to n subscriptions of tenant, newest first, those before
// the id before when it is set.
func (s *Store) List(ctx context.Context, tenant, before string, n int) ([]Subscription, error) {
	var rows []subscriptionRow
	err := pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		return tx.SelectContext(ctx, &rows, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
			WHERE ($1 = '' OR id < $1::uuid) ORDER BY id DESC LIMIT $2`, before, n)
	})
	if err != nil {
		return nil, fmt.Errorf("webhooks: list subscriptions: %w", err)
	}
	out := make([]Subscription, 0, len(rows))
	for _, r := range rows {
		sub, err := r.subscription()
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, nil
}

// Get returns subscription id of tenant.
func (s *Store) Get(ctx context.Context, tenant, id string) (sub Subscription, err error) {
	err = pg.WithTenantTx(ctx, s.db, tenant, func(tx *sqlx.Tx) error {
		sub, err = getTx(ctx, tx, id, false)
		return err
	})
	return sub, err
}

// Create stores sub (its URL, description, event types and filter checked)
// for tenant, made by user ("" for none), with a new secret it returns in
// the answer's Secret.
func (s *Store) Create(ctx context.Context, tenant, user string, sub Subscription) (out Subscription, err error) {
	secret := delivery.NewSecret()
	f, err := filterJSON(sub.Filter)
	if err != nil {
		return Subscription{}, err
	}
	var createdBy any
	if ids.Valid(user) {
		createdBy = user
	}
	err = s.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		now := pg.Now()
		var r subscriptionRow
		if err := tx.GetContext(ctx, &r, `INSERT INTO webhook_subscriptions (tenant_id, id, url, description, event_types, filter,
				secret_enc, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING `+subscriptionColumns,
			tenant, ids.New(), sub.URL, sub.Description, pq.StringArray(sub.EventTypes), f, s.sealer.Seal(secret), createdBy, now); err != nil {
			return fmt.Errorf("webhooks: create subscription: %w", err)
		}
		if out, err = r.subscription(); err != nil {
			return err
		}
		return s.emit(ctx, tx, tenant, TypeCreated, out, nil)
	})
	out.Secret = secret
	return out, err
}

// Update applies change to subscription id of tenant, which must be at
// version ifMatch when it is set; change validates the result. It stores
// it at the next version and returns it.
func (s *Store) Update(ctx context.Context, tenant, id string, ifMatch *int64, change func(*Subscription) error) (out Subscription, err error) {
	err = s.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		cur, err := getTx(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != cur.Version {
			return ErrVersionMismatch
		}
		if err := change(&cur); err != nil {
			return err
		}
		f, err := filterJSON(cur.Filter)
		if err != nil {
			return err
		}
		var r subscriptionRow
		if err := tx.GetContext(ctx, &r, `UPDATE webhook_subscriptions SET url = $2, description = $3, event_types = $4,
				filter = $5, updated_at = $6, version = version + 1
			WHERE id = $1 RETURNING `+subscriptionColumns, id, cur.URL, cur.Description, pq.StringArray(cur.EventTypes), f, pg.Now()); err != nil {
			return fmt.Errorf("webhooks: update subscription: %w", err)
		}
		if out, err = r.subscription(); err != nil {
			return err
		}
		return s.emit(ctx, tx, tenant, TypeUpdated, out, nil)
	})
	return out, err
}

// Delete deletes subscription id of tenant (at version ifMatch when it is
// set) with its deliveries.
func (s *Store) Delete(ctx context.Context, tenant, id string, ifMatch *int64) error {
	return s.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		cur, err := getTx(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != cur.Version {
			return ErrVersionMismatch
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_subscriptions WHERE id = $1`, id); err != nil {
			return fmt.Errorf("webhooks: delete subscription: %w", err)
		}
		return s.emit(ctx, tx, tenant, TypeDeleted, cur, nil)
	})
}

// Enable makes subscription id of tenant active again, its failure history
// forgotten; its deliveries failed meanwhile stay failed. An active one is
// answered as it is.
func (s *Store) Enable(ctx context.Context, tenant, id string) (out Subscription, err error) {
	err = s.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		cur, err := getTx(ctx, tx, id, true)
		if err != nil || cur.Status == StatusActive {
			out = cur
			return err
		}
		var r subscriptionRow
		if err := tx.GetContext(ctx, &r, `UPDATE webhook_subscriptions SET status = $2, disabled_reason = '', disabled_at = NULL,
				failing_since = NULL, throttled_until = NULL, updated_at = $3, version = version + 1
			WHERE id = $1 RETURNING `+subscriptionColumns, id, StatusActive, pg.Now()); err != nil {
			return fmt.Errorf("webhooks: enable subscription: %w", err)
		}
		if out, err = r.subscription(); err != nil {
			return err
		}
		return s.emit(ctx, tx, tenant, TypeEnabled, out, nil)
	})
	return out, err
}

// RotateSecret gives subscription id of tenant a new secret, returned once
// in the answer's Secret; the old one signs nothing from now on.
func (s *Store) RotateSecret(ctx context.Context, tenant, id string) (out Subscription, err error) {
	secret := delivery.NewSecret()
	err = s.inTx(ctx, tenant, func(tx *sqlx.Tx) error {
		var r subscriptionRow
		err := tx.GetContext(ctx, &r, `UPDATE webhook_subscriptions SET secret_enc = $2, updated_at = $3, version = version + 1
			WHERE id = $1 RETURNING `+subscriptionColumns, id, s.sealer.Seal(secret), pg.Now())
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("webhooks: rotate secret: %w", err)
		}
		if out, err = r.subscription(); err != nil {
			return err
		}
		return s.emit(ctx, tx, tenant, TypeUpdated, out, nil)
	})
	out.Secret = secret
	return out, err
}
