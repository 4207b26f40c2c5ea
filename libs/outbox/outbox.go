package outbox

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Channel is the NOTIFY channel that wakes the relay.
const Channel = "rapport_outbox"

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations is the outbox table's schema, for pg.Migrate.
func Migrations() pg.Source { return pg.EmbeddedSource("outbox", migrationFiles, "migrations") }

// addChunk is the most events one statement of Add writes: a bulk change's
// events go in statements of that many, not one each nor all in one.
const addChunk = 1000

// Add stores evs for topic in tx, the transaction of the change they
// describe, in their order, in one statement per addChunk events, each with
// the traceparent of ctx's span unless it has one already (nothing when
// tracing is off; events.TraceParent). They
// become visible to the relay, and are published, only if tx commits. tx
// must be a tenant transaction of every event's TenantID (pg.WithTenantTx),
// possibly running prepared statements (pg.Statements.In).
//
// The relay is woken when tx commits: in process, when a relay runs here and
// tx is run by pg.WithTx; otherwise by NOTIFY on Channel, which every relay
// of the database listens to. NOTIFY makes PostgreSQL serialise the commits
// of notifying transactions, so the in-process wake-up is preferred.
func Add(ctx context.Context, tx sqlx.ExtContext, topic string, evs ...events.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if tp := events.TraceParent(ctx); tp != "" {
		for i := range evs {
			if evs[i].TraceParent == "" {
				evs[i].TraceParent = tp
			}
		}
	}
	for len(evs) > addChunk {
		if err := insert(ctx, tx, topic, evs[:addChunk]); err != nil {
			return err
		}
		evs = evs[addChunk:]
	}
	if err := insert(ctx, tx, topic, evs); err != nil {
		return err
	}
	if localRelays.running() && pg.OnCommit(tx, localRelays.wake) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, Channel); err != nil {
		return fmt.Errorf("outbox: add %s: %w", evs[0].Type, pg.MapError(err))
	}
	return nil
}

// insert writes evs for topic in one statement.
func insert(ctx context.Context, tx sqlx.ExtContext, topic string, evs []events.Event) error {
	n := len(evs)
	tenants, ids, sources, types := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	subjects, times, data := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	traceparents := make(pq.StringArray, n)
	for i, ev := range evs {
		tenants[i], ids[i], sources[i], types[i] = ev.TenantID, ev.ID, ev.Source, ev.Type
		subjects[i], times[i], data[i] = ev.Subject, ev.Time.Format(time.RFC3339Nano), string(ev.Data)
		traceparents[i] = ev.TraceParent
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO outbox (tenant_id, topic, event_id, source, type, subject, time, data, traceparent)
		SELECT e.tenant_id, $1, e.event_id, e.source, e.type, e.subject, e.time, e.data, NULLIF(e.traceparent, '')
		FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[])
			WITH ORDINALITY e(tenant_id, event_id, source, type, subject, time, data, traceparent, n)
		ORDER BY e.n`,
		topic, tenants, ids, sources, types, subjects, times, data, traceparents)
	if err != nil {
		return fmt.Errorf("outbox: add %s: %w", evs[0].Type, pg.MapError(err))
	}
	return nil
}
