// Package ingest builds the reporting service's read models from the
// topics of contacts, sales, marketing and support (libs/events): each
// event is applied in the transaction of its inbox record, to every live
// generation (internal/rm), idempotently and whatever order the
// partitions deliver in; an unknown type changes nothing. Replay (POST
// /admin/v1/rebuild) fills a new generation from the topics' beginnings
// and switches over when it has caught up.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/starter"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// apply applies one event to one generation of the read models, in tx.
// It must be idempotent (state rows upserted only by a newer version,
// fact rows keyed by the event) and must not depend on another event's
// having been applied first.
type apply func(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error

// Applier applies events to the read models; the live consumers and the
// rebuild share it.
type Applier struct {
	handlers map[string]apply // by event type
	logger   *slog.Logger
}

// NewApplier returns the applier of every context's events.
func NewApplier(logger *slog.Logger) *Applier {
	h := map[string]apply{}
	for _, part := range []map[string]apply{contactsHandlers, salesHandlers, marketingHandlers, supportHandlers} {
		maps.Copy(h, part)
	}
	return &Applier{handlers: h, logger: logger}
}

// ApplyTo applies ev to gen and records its time as that context's
// freshness; an event of a type no read model uses changes nothing.
func (a *Applier) ApplyTo(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, ev events.Event) error {
	fn, ok := a.handlers[ev.Type]
	if !ok {
		return nil
	}
	if err := fn(ctx, tx, gen, ev); err != nil {
		return err
	}
	return rm.Touch(ctx, tx, gen, contextOf(ev.Type), ev.Time)
}

// Handle is the live consumers' handler: ev is applied to every live
// generation of its tenant.
func (a *Applier) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	gens, err := rm.Live(ctx, tx)
	if err != nil {
		return err
	}
	for _, g := range gens {
		if err := a.ApplyTo(ctx, tx, g, ev); err != nil {
			return err
		}
	}
	return nil
}

// HandleBatch is the live consumers' batch handler: evs, a tenant's new
// events in the order their partitions delivered them, are applied to
// every live generation as Handle would one by one, with one rm.Live for
// all of them and one freshness write per generation and context
// (applyAll).
func (a *Applier) HandleBatch(ctx context.Context, tx *sqlx.Tx, evs []events.Event) error {
	gens, err := rm.Live(ctx, tx)
	if err != nil {
		return err
	}
	for _, g := range gens {
		if err := a.applyAll(ctx, tx, g, evs); err != nil {
			return err
		}
	}
	return nil
}

// applyAll applies evs to gen in order, as ApplyTo would one by one, but
// records the freshness once per context: the count of its events applied
// and the newest one's time (rm.TouchN), in rm.Contexts' order.
func (a *Applier) applyAll(ctx context.Context, tx *sqlx.Tx, gen rm.Gen, evs []events.Event) error {
	fresh := map[string]freshness{}
	for _, ev := range evs {
		fn, ok := a.handlers[ev.Type]
		if !ok {
			continue
		}
		if err := fn(ctx, tx, gen, ev); err != nil {
			return fmt.Errorf("event %s (%s): %w", ev.ID, ev.Type, err)
		}
		c := contextOf(ev.Type)
		f := fresh[c]
		f.events++
		if ev.Time.After(f.asOf) {
			f.asOf = ev.Time
		}
		fresh[c] = f
	}
	for _, c := range rm.Contexts {
		if f, ok := fresh[c]; ok {
			if err := rm.TouchN(ctx, tx, gen, c, f.asOf, f.events); err != nil {
				return err
			}
		}
	}
	return nil
}

// Group is the consumer group of the live consumer of context's topic.
func Group(context string) string { return "reporting-" + context }

// liveBatch is how many events one transaction of a live consumer applies
// at most: the handlers are idempotent and need no order between events.
const liveBatch = 500

// Consumers are the live consumers, one group per source context (each
// topic's lag its own metric), applying the events in batches
// (HandleBatch; Handle one by one for a batch that failed).
func (a *Applier) Consumers() []starter.Consumer {
	out := make([]starter.Consumer, 0, len(rm.Contexts))
	for _, c := range rm.Contexts {
		out = append(out, starter.Consumer{Group: Group(c), Contexts: []string{c}, Handler: a.Handle, Batch: liveBatch, BatchHandler: a.HandleBatch})
	}
	return out
}

// contextOf returns the source context of an event type
// ("dev.rapport.sales.opportunity.won.v1" → "sales").
func contextOf(typ string) string {
	parts := strings.Split(typ, ".")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}
