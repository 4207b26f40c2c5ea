// Package pgstore is the SQL the contexts of the contacts service share:
// tenant transactions that publish through the outbox, prepared statements,
// the current-tenant fragment, conditions with bound arguments, the caller's
// record scope, the record tables and the one way a row is updated (Update).
// Each context's store.go builds its queries on it; no service file sees SQL.
package pgstore

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// preparedStatements bounds the distinct queries a DB prepares: the write
// path's, in each scope's variant, the INSERT of each batch size up to the
// largest batch of creates and the outbox INSERT.
const preparedStatements = 64

// DB is the service's database: libs/outbox's (a pool of the application
// role, the catalogue of customer.Events and the topic they go to) and the
// statements it prepares.
type DB struct {
	*outbox.DB
	stmts *pg.Statements
}

// New returns the DB on pool, publishing events to topic through the outbox.
func New(pool *sqlx.DB, topic string) *DB {
	return &DB{DB: outbox.NewDB(pool, customer.Events, topic), stmts: pg.NewStatements(pool, preparedStatements)}
}

// InTx runs fn in a transaction of tenant (pg.WithTenantTx): row-level
// security shows it the tenant's rows only.
func (d *DB) InTx(ctx context.Context, tenant string, fn func(tx *Tx) error) error {
	return d.DB.InTx(ctx, tenant, func(tx *outbox.Tx) error { return fn(&Tx{Tx: tx, stmts: d.stmts}) })
}

// With returns tx, a transaction of tenant its caller opened (an event
// consumer's, which also holds its inbox insert), as a Tx.
func (d *DB) With(tx *sqlx.Tx, tenant string) *Tx {
	return &Tx{Tx: d.DB.With(tx, tenant), stmts: d.stmts}
}

// Tx is a transaction of one tenant (outbox.Tx) with the service's
// prepared statements. Services pass it from one store operation to the
// next; only store files run queries in it.
type Tx struct {
	*outbox.Tx
	stmts *pg.Statements
}

// Prepared returns the transaction running its queries as prepared
// statements. Only queries whose best plan does not depend on their
// parameters' values go through it (pg.Statements): the duplicate checks
// (their plans' shapes are fixed by LATERAL and LIMIT), the INSERT of
// records, the write rules, the key locks and the outbox INSERT — never a
// search.
func (t *Tx) Prepared() sqlx.ExtContext { return t.stmts.In(t.SQL()) }

// Emit adds the event of a change of the tenant's to the outbox
// (customer.Events: an event outside the service's catalogue is an error),
// and a change of a record to its timeline.
func (t *Tx) Emit(ctx context.Context, entity, verb, subject string, state any, changed []string) error {
	return t.emit(ctx, entity, verb, []string{subject}, []any{state}, changed)
}

// EmitAll adds the events of verb on recs, all of entity, to the outbox,
// with changed as each one's changed fields, and the changes to the
// records' timelines: one statement for many records (outbox.Add), where
// Emit would take one each.
func (t *Tx) EmitAll(ctx context.Context, entity, verb string, recs []customer.Record, changed []string) error {
	subjects, states := make([]string, len(recs)), make([]any, len(recs))
	for i, rec := range recs {
		subjects[i], states[i] = rec.Base().ID, rec
	}
	return t.emit(ctx, entity, verb, subjects, states, changed)
}

// EmitEach adds the events of verb on entity to the outbox, one per
// subject with states[i] its state, in one statement (outbox.Add), where
// Emit would take one each.
func (t *Tx) EmitEach(ctx context.Context, entity, verb string, subjects []string, states []any) error {
	return t.emit(ctx, entity, verb, subjects, states, nil)
}

// emit adds the events of verb on entity to the outbox through the
// prepared statements, one per subject with states[i] its state and
// changed as each one's changed fields, and the changes of records to
// their timelines.
func (t *Tx) emit(ctx context.Context, entity, verb string, subjects []string, states []any, changed []string) error {
	evs, err := t.Publish(ctx, t.Prepared(), entity, verb, subjects, states, changed)
	if err != nil {
		return err
	}
	return t.recordChanges(ctx, entity, verb, evs, changed)
}
