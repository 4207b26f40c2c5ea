package outbox

import (
	"context"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
)

// DB is a service's database as its stores write it: a pool of the
// application role, and the catalogue of the events its changes publish
// with the topic they go to. Stores run their queries in its tenant
// transactions (InTx) and publish each change in the transaction of the
// change (Tx.Emit).
type DB struct {
	pool    *sqlx.DB
	catalog events.Catalogue
	topic   string
	stmts   *pg.Statements
}

// preparedStatements bounds the distinct queries a DB prepares (Tx.Prepared).
const preparedStatements = 32

// NewDB returns the DB on pool, publishing the events of catalog to topic.
func NewDB(pool *sqlx.DB, catalog events.Catalogue, topic string) *DB {
	return &DB{pool: pool, catalog: catalog, topic: topic, stmts: pg.NewStatements(pool, preparedStatements)}
}

// Pool returns the pool, for the work that crosses tenants (each tenant's
// part in a transaction of its own).
func (d *DB) Pool() *sqlx.DB { return d.pool }

// InTx runs fn in a transaction of tenant (pg.WithTenantTx): row-level
// security shows it the tenant's rows only.
func (d *DB) InTx(ctx context.Context, tenant string, fn func(tx *Tx) error) error {
	return pg.WithTenantTx(ctx, d.pool, tenant, func(tx *sqlx.Tx) error { return fn(d.With(tx, tenant)) })
}

// InCallerTx runs fn in a transaction of the request's caller's tenant
// (auth.Caller), with the caller: what a service's request runs in.
func (d *DB) InCallerTx(ctx context.Context, fn func(p auth.Principal, tx *Tx) error) error {
	p, err := auth.Caller(ctx)
	if err != nil {
		return err
	}
	return d.InTx(ctx, p.TenantID, func(tx *Tx) error { return fn(p, tx) })
}

// With returns tx, a transaction of tenant its caller opened (an event
// consumer's, which also holds its inbox insert), as a Tx.
func (d *DB) With(tx *sqlx.Tx, tenant string) *Tx { return &Tx{tx: tx, db: d, tenant: tenant} }

// Tx is a transaction of one tenant. Services pass it from one store
// operation to the next; only store files run queries in it.
type Tx struct {
	tx     *sqlx.Tx
	db     *DB
	tenant string
}

// SQL returns the transaction, for a store's queries.
func (t *Tx) SQL() *sqlx.Tx { return t.tx }

// Prepared returns the transaction running its queries as the DB's
// prepared statements (pg.Statements: parsed once per connection, planned
// once after five runs). Only queries whose best plan does not depend on
// their parameters' values go through it — a lookup by key, an INSERT, a
// list with no parameters — never a search.
func (t *Tx) Prepared() sqlx.ExtContext { return t.db.stmts.In(t.tx) }

// Emit adds the event of a change of the tenant's to the outbox: verb on
// entity, subject's state, and on an update the fields it changed
// (events.Catalogue.New: an event outside the catalogue is an error).
func (t *Tx) Emit(ctx context.Context, entity, verb, subject string, state any, changed []string) error {
	_, err := t.Publish(ctx, t.tx, entity, verb, []string{subject}, []any{state}, changed)
	return err
}

// Publish adds the events of verb on entity to the outbox in one
// statement (Add) run through exec (the transaction, or prepared
// statements on it: pg.Statements.In), one per subject with states[i] its
// state and changed as each update's changed fields, and returns them. An
// event outside the catalogue is an error before anything is written.
func (t *Tx) Publish(ctx context.Context, exec sqlx.ExtContext, entity, verb string, subjects []string, states []any, changed []string) ([]events.Event, error) {
	evs := make([]events.Event, len(subjects))
	for i, subject := range subjects {
		var err error
		if evs[i], err = t.db.catalog.New(t.tenant, entity, verb, subject, states[i], changed); err != nil {
			return nil, err
		}
	}
	if err := Add(ctx, exec, t.db.topic, evs...); err != nil {
		return nil, err
	}
	return evs, nil
}
