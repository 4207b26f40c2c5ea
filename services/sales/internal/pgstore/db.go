// Package pgstore is the SQL the contexts of the sales service share:
// tenant transactions that publish through the outbox, and the catalogue of
// the events the service publishes. Each context's store.go builds its
// queries on it; no service file sees SQL.
package pgstore

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// CurrentTenant is the SQL value of the transaction's tenant.
const CurrentTenant = "CAST(NULLIF(current_setting('app.tenant_id', true), '') AS uuid)"

// DB is the service's database: a pool of the application role and the
// topic its events go to.
type DB struct {
	pool  *sqlx.DB
	topic string
}

// New returns the DB on pool, publishing events to topic through the outbox.
func New(pool *sqlx.DB, topic string) *DB { return &DB{pool: pool, topic: topic} }

// InTx runs fn in a transaction of tenant (pg.WithTenantTx): row-level
// security shows it the tenant's rows only.
func (d *DB) InTx(ctx context.Context, tenant string, fn func(tx *Tx) error) error {
	return pg.WithTenantTx(ctx, d.pool, tenant, func(tx *sqlx.Tx) error { return fn(&Tx{tx: tx, db: d, tenant: tenant}) })
}

// Tx is a transaction of one tenant. Services pass it from one store
// operation to the next; only store files run queries in it.
type Tx struct {
	tx     *sqlx.Tx
	db     *DB
	tenant string
}

// SQL returns the transaction, for a store's queries.
func (t *Tx) SQL() *sqlx.Tx { return t.tx }

// Emit adds the event of a change of the tenant's to the outbox (Events.New:
// an event outside the service's catalogue is an error).
func (t *Tx) Emit(ctx context.Context, entity, verb, subject string, state any, changed []string) error {
	ev, err := Events.New(t.tenant, entity, verb, subject, state, changed)
	if err != nil {
		return err
	}
	return outbox.Add(ctx, t.tx, t.db.topic, ev)
}
