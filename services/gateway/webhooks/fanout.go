package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/registry"
)

// ConsumerGroup is the consumer group of the fan-out: every gateway replica
// joins it, so the topics' partitions are split among them.
const ConsumerGroup = "gateway-webhooks"

// Context is the bounded context of the gateway's webhook events: their
// topic is events.Topic(prefix, Context), rapport.webhooks.v1.
const Context = "webhooks"

// Topics are the topics the fan-out reads, with prefix: every built
// service's and the gateway's own webhook events'.
func Topics(prefix string) []string {
	var out []string
	for _, s := range registry.Default().Built() {
		if t := s.Topic(prefix); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if t := events.Topic(prefix, Context); !slices.Contains(out, t) {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Handler is the fan-out: an events batch handler turning each event into
// a pending delivery for every active subscription of its tenant whose
// patterns and filter match it.
type Handler struct {
	cache  *Cache
	logger *slog.Logger
}

// NewHandler returns the fan-out reading subscriptions through cache (the
// Store's, so changes made here show at once).
func NewHandler(cache *Cache, logger *slog.Logger) *Handler {
	return &Handler{cache: cache, logger: logger}
}

// Handle is the events.Handler: HandleBatch of ev alone.
func (h *Handler) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	return h.HandleBatch(ctx, tx, []events.Event{ev})
}

// HandleBatch is the events.BatchHandler: in tx, a transaction of the
// events' tenant with their inbox rows, it inserts a pending delivery per
// matching subscription and event (none again for an event a subscription
// has one of: a redelivered event adds nothing), in the events' order, so
// the deliveries of one subject keep it (seq); at commit it NOTIFYs the
// dispatchers when it added any.
func (h *Handler) HandleBatch(ctx context.Context, tx *sqlx.Tx, evs []events.Event) error {
	if len(evs) == 0 {
		return nil
	}
	tenant := evs[0].TenantID
	for _, ev := range evs {
		if strings.HasPrefix(ev.Type, "dev.rapport.webhooks.subscription.") {
			h.cache.Forget(tenant) // another replica changed a subscription
		}
	}
	subs, err := h.cache.subscriptions(ctx, tx, tenant)
	if err != nil || len(subs) == 0 {
		return err
	}
	var rows deliveryRows
	for _, ev := range evs {
		var doc map[string]any
		var body []byte
		for _, s := range subs {
			if !events.TypeMatchesAny(s.types, ev.Type) {
				continue
			}
			if s.filter != nil {
				if doc == nil {
					doc = document(ev)
				}
				ok, err := filter.Match(s.filter, s.schema, doc)
				if err != nil {
					// The catalogue no longer has a field the filter names:
					// the subscription gets nothing until it is changed.
					h.logger.WarnContext(ctx, "webhook filter no longer applies", "subscription_id", s.id, "event_type", ev.Type, "error", err.Error())
					continue
				}
				if !ok {
					continue
				}
			}
			if body == nil {
				if body, err = payload(ev); err != nil {
					return err
				}
			}
			rows.add(s.id, ev, body)
		}
	}
	if len(rows.ids) == 0 {
		return nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (tenant_id, id, subscription_id, event_id, event_type, subject,
			payload, next_attempt_at, created_at)
		SELECT $1, d.id, d.sub, d.event_id, d.event_type, d.subject, d.payload::jsonb, now(), now()
		FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
			AS d(id, sub, event_id, event_type, subject, payload, n)
		ORDER BY d.n
		ON CONFLICT (tenant_id, subscription_id, event_id) DO NOTHING`,
		tenant, pq.StringArray(rows.ids), pq.StringArray(rows.subs), pq.StringArray(rows.eventIDs),
		pq.StringArray(rows.types), pq.StringArray(rows.subjects), pq.StringArray(rows.payloads))
	if err != nil {
		return fmt.Errorf("webhooks: queue deliveries: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		h.logger.DebugContext(ctx, "webhook deliveries queued", "tenant_id", tenant, "deliveries", n)
		return signal(ctx, tx)
	}
	return nil
}

// deliveryRows are the columns of the deliveries a batch inserts.
type deliveryRows struct {
	ids, subs, eventIDs, types, subjects, payloads []string
}

// add appends a delivery of ev, rendered as body, to subscription sub.
func (r *deliveryRows) add(sub string, ev events.Event, body []byte) {
	r.ids = append(r.ids, ids.New())
	r.subs = append(r.subs, sub)
	r.eventIDs = append(r.eventIDs, ev.ID)
	r.types = append(r.types, ev.Type)
	r.subjects = append(r.subjects, ev.Subject)
	r.payloads = append(r.payloads, string(body))
}

// document is what a filter reads of ev: type, subject, source, time and
// data (its numbers kept exact).
func document(ev events.Event) map[string]any {
	var data any
	d := json.NewDecoder(bytes.NewReader(ev.Data))
	d.UseNumber()
	if err := d.Decode(&data); err != nil {
		data = nil
	}
	return map[string]any{
		"type": ev.Type, "subject": ev.Subject, "source": ev.Source,
		"time": ev.Time.UTC().Format(time.RFC3339Nano), "data": data,
	}
}
