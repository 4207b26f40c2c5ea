// Package pgstore is the SQL the contexts of the contacts service share:
// tenant transactions that publish through the outbox, prepared statements,
// the current-tenant fragment, conditions with bound arguments, the caller's
// record scope, the record tables and the one way a row is updated (Update).
// Each context's store.go builds its queries on it; no service file sees SQL.
package pgstore

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// preparedStatements bounds the distinct queries a DB prepares: the write
// path's, in each scope's variant, the INSERT of each batch size up to the
// largest batch of creates and the outbox INSERT.
const preparedStatements = 64

// DB is the service's database: a pool of the application role, the
// statements it prepares and the topic its events go to.
type DB struct {
	pool  *sqlx.DB
	stmts *pg.Statements
	topic string
}

// New returns the DB on pool, publishing events to topic through the outbox.
func New(pool *sqlx.DB, topic string) *DB {
	return &DB{pool: pool, stmts: pg.NewStatements(pool, preparedStatements), topic: topic}
}

// Pool returns the pool, for the work that crosses tenants (each tenant's
// part in a transaction of its own).
func (d *DB) Pool() *sqlx.DB { return d.pool }

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

// Prepared returns the transaction running its queries as prepared
// statements. Only queries whose best plan does not depend on their
// parameters' values go through it (pg.Statements): the duplicate checks
// (their plans' shapes are fixed by LATERAL and LIMIT), the INSERT of
// records, the write rules, the key locks and the outbox INSERT — never a
// search.
func (t *Tx) Prepared() sqlx.ExtContext { return t.db.stmts.In(t.tx) }

// Emit adds the event of a change of the tenant's to the outbox (customer.Events.New: an event
// outside the service's catalogue is an error), and a change of a record to
// its timeline.
func (t *Tx) Emit(ctx context.Context, entity, verb, subject string, state any, changed []string) error {
	ev, err := customer.Events.New(t.tenant, entity, verb, subject, state, changed)
	if err != nil {
		return err
	}
	if err := outbox.Add(ctx, t.Prepared(), t.db.topic, ev); err != nil {
		return err
	}
	return t.recordChanges(ctx, entity, verb, []events.Event{ev}, changed)
}

// EmitAll adds the events of verb on recs, all of entity, to the outbox,
// with changed as each one's changed fields, and the changes to the
// records' timelines: one statement for many records (outbox.Add), where
// Emit would take one each.
func (t *Tx) EmitAll(ctx context.Context, entity, verb string, recs []customer.Record, changed []string) error {
	evs := make([]events.Event, len(recs))
	for i, rec := range recs {
		var err error
		if evs[i], err = customer.Events.New(t.tenant, entity, verb, rec.Base().ID, rec, changed); err != nil {
			return err
		}
	}
	if err := outbox.Add(ctx, t.Prepared(), t.db.topic, evs...); err != nil {
		return err
	}
	return t.recordChanges(ctx, entity, verb, evs, changed)
}

// EmitEach adds the events of verb on entity to the outbox, one per
// subject with states[i] its state, in one statement (outbox.Add), where
// Emit would take one each.
func (t *Tx) EmitEach(ctx context.Context, entity, verb string, subjects []string, states []any) error {
	evs := make([]events.Event, len(subjects))
	for i, subject := range subjects {
		var err error
		if evs[i], err = customer.Events.New(t.tenant, entity, verb, subject, states[i], nil); err != nil {
			return err
		}
	}
	if err := outbox.Add(ctx, t.Prepared(), t.db.topic, evs...); err != nil {
		return err
	}
	return t.recordChanges(ctx, entity, verb, evs, nil)
}
