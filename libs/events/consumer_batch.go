package events

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/rapport-crm/rapport/libs/pg"
)

// The batch mode (ConsumerConfig.Batch > 1): the records fetched with the
// first are applied together, each tenant's in one transaction holding one
// inbox insert for all of them and their handlers, in the order each
// partition delivered them (or, with a BatchHandler, one call of it with
// the events that were new); the offsets are committed once every
// transaction has. A tenant's transaction that fails for a passing reason
// (pg.Transient) is tried again whole (retry.go); one that fails otherwise
// is rolled back and its events processed one by one as in the default
// mode (retries, then the dead-letter topic), so a poison event holds up
// and loses no other; the inbox keeps any event from being applied twice.

// batchWait bounds how long a batch waits for records after its first:
// the most it delays that event.
const batchWait = 10 * time.Millisecond

// batchItem is a record of a batch and the event it holds.
type batchItem struct {
	m  kafka.Message
	ev Event
}

// inboxKey is an event's key in the inbox, for its group and tenant.
type inboxKey struct {
	source string
	id     uuid.UUID
}

// fill returns first and the records reader fetches after it, until Batch
// of them or batchWait has passed. A fetch error other than the wait's end
// is returned with what was fetched, which is then not applied.
func (c *Consumer) fill(ctx context.Context, reader *kafka.Reader, first kafka.Message) ([]kafka.Message, error) {
	msgs := make([]kafka.Message, 1, c.cfg.Batch)
	msgs[0] = first
	waiting, cancel := context.WithTimeout(ctx, batchWait)
	defer cancel()
	for len(msgs) < c.cfg.Batch {
		m, err := reader.FetchMessage(waiting)
		if err != nil {
			if waiting.Err() != nil {
				return msgs, nil // the wait is over, or the consumer stops
			}
			return msgs, err
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// processBatch applies msgs: a record that is no event or has no tenant is
// dead-lettered (process), the events of each tenant are applied in one
// transaction (applyGroup), and those of a tenant whose transaction failed
// are processed one by one. It returns an error only when the consumer must
// stop (ctx ended, the dead-letter topic is unwritable, afterApply).
func (c *Consumer) processBatch(ctx context.Context, msgs []kafka.Message) error {
	var tenants []string
	groups := map[string][]batchItem{}
	for _, m := range msgs {
		c.reportLag(m)
		ev, err := Parse(m)
		if err != nil || ev.TenantID == "" {
			if err := c.process(ctx, m); err != nil {
				return err
			}
			continue
		}
		if _, ok := groups[ev.TenantID]; !ok {
			tenants = append(tenants, ev.TenantID)
		}
		groups[ev.TenantID] = append(groups[ev.TenantID], batchItem{m: m, ev: ev})
	}
	for _, tenant := range tenants {
		group := groups[tenant]
		err := c.untilLasting(ctx, func() error { return c.applyGroup(ctx, tenant, group) })
		if err == nil {
			if c.afterApply != nil {
				for _, it := range group {
					if err := c.afterApply(it.ev); err != nil {
						return err
					}
				}
			}
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.cfg.Logger.WarnContext(ctx, "event batch failed, its events are applied one by one", "tenant_id", tenant, "events", len(group), "error", err.Error())
		for _, it := range group {
			if err := c.process(ctx, it.m); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyGroup applies the events of tenant in one tenant transaction: one
// inbox insert for all, then the handler of each event that was new, in
// order, in the event's consumer span (trace.go), or the batch handler
// once with all of them (in the batch's context). A rolled-back group's
// spans say so; process then gives each event a span of its own.
func (c *Consumer) applyGroup(ctx context.Context, tenant string, group []batchItem) (err error) {
	spans := make([]trace.Span, len(group))
	ctxs := make([]context.Context, len(group))
	for i, it := range group {
		ctxs[i], spans[i] = startProcess(ctx, it.m, c.cfg.Group)
	}
	defer func() {
		for _, span := range spans {
			if err != nil {
				span.AddEvent("batch rolled back", trace.WithAttributes(attribute.String("error", err.Error())))
			}
			span.End()
		}
	}()
	return pg.WithTenantTx(ctx, c.cfg.DB, tenant, func(tx *sqlx.Tx) error {
		fresh, err := c.inboxInsert(ctx, tx, tenant, group)
		if err != nil {
			return err
		}
		var evs []Event // the new ones, for the batch handler
		for i, it := range group {
			k := inboxKey{source: it.ev.Source, id: uuid.MustParse(it.ev.ID)}
			if !fresh[k] {
				c.cfg.Logger.DebugContext(ctxs[i], "duplicate event skipped", "event_id", it.ev.ID, "type", it.ev.Type)
				continue
			}
			delete(fresh, k) // a second copy in the batch is a duplicate
			if c.cfg.BatchHandler != nil {
				evs = append(evs, it.ev)
				continue
			}
			if err := c.cfg.Handler(ctxs[i], tx, it.ev); err != nil {
				return fmt.Errorf("events: event %s: %w", it.ev.ID, err)
			}
		}
		if len(evs) > 0 {
			if err := c.cfg.BatchHandler(ctx, tx, evs); err != nil {
				return fmt.Errorf("events: batch of %d events: %w", len(evs), err)
			}
		}
		return nil
	})
}

// inboxInsert records group's events in the inbox of the consumer's group
// in one statement and returns those that were not there yet (nor in the
// empty group's rows, which count for every group: apply).
func (c *Consumer) inboxInsert(ctx context.Context, tx *sqlx.Tx, tenant string, group []batchItem) (map[inboxKey]bool, error) {
	sources, ids, types := make(pq.StringArray, len(group)), make(pq.StringArray, len(group)), make(pq.StringArray, len(group))
	for i, it := range group {
		sources[i], ids[i], types[i] = it.ev.Source, it.ev.ID, it.ev.Type
	}
	rows, err := tx.QueryContext(ctx,
		`INSERT INTO inbox (tenant_id, source, id, type, consumer_group)
		 SELECT $1, e.source, e.id, e.type, $2 FROM unnest($3::text[], $4::uuid[], $5::text[]) AS e (source, id, type)
		 WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.tenant_id = $1 AND i.source = e.source AND i.id = e.id AND i.consumer_group = '')
		 ON CONFLICT DO NOTHING
		 RETURNING source, id`,
		tenant, c.cfg.Group, sources, ids, types)
	if err != nil {
		return nil, fmt.Errorf("events: inbox insert: %w", err)
	}
	defer rows.Close()
	fresh := make(map[inboxKey]bool, len(group))
	for rows.Next() {
		var k inboxKey
		if err := rows.Scan(&k.source, &k.id); err != nil {
			return nil, fmt.Errorf("events: inbox insert: %w", err)
		}
		fresh[k] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events: inbox insert: %w", err)
	}
	return fresh, nil
}

// newest returns, of msgs, the last record of each partition: the offsets
// to commit.
func newest(msgs []kafka.Message) []kafka.Message {
	type partition struct {
		topic string
		id    int
	}
	last := map[partition]int{}
	var order []partition
	for i, m := range msgs {
		p := partition{m.Topic, m.Partition}
		if _, ok := last[p]; !ok {
			order = append(order, p)
		}
		last[p] = i
	}
	out := make([]kafka.Message, len(order))
	for i, p := range order {
		out[i] = msgs[last[p]]
	}
	return out
}
