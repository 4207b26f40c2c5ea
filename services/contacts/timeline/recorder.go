package timeline

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
)

// ConsumerGroup is the consumer group of the Recorder.
const ConsumerGroup = "contacts-timeline"

// outcomeRecorded counts an event the Recorder added to a timeline.
const outcomeRecorded = "recorded"

// Recorder adds the events of other contexts (Contexts) that name a
// contact or an account of the tenant to their timelines, and moves their
// lastActivityAt forward to the event's time. It is tolerant: an event of
// a type it does not know (foreignLabels), with a malformed payload, or
// naming no record of the tenant is skipped — counted in
// rapport_timeline_events_total by context and outcome — never an error
// that would retry it or stop the consumer. Only a failure of the database
// is one.
type Recorder struct {
	db     *pgstore.DB
	logger *slog.Logger
	counts *prometheus.CounterVec
	now    func() time.Time
}

// NewRecorder returns the Recorder on db, registering its metric with reg
// (nil: none).
func NewRecorder(db *pgstore.DB, logger *slog.Logger, reg prometheus.Registerer) *Recorder {
	counts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rapport_timeline_events_total",
		Help: "Other services' events the timeline consumed, by context and outcome: recorded, or skipped as unknown_type, malformed or no_record.",
	}, []string{"context", "outcome"})
	if reg != nil {
		reg.MustRegister(counts)
	}
	return &Recorder{db: db, logger: logger, counts: counts, now: time.Now}
}

// Handle is the Recorder's events.Handler: it runs in tx, the consumer's
// transaction of the event's tenant, with the event's inbox insert.
func (r *Recorder) Handle(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
	f, skip := readForeign(ev)
	if skip != "" {
		return r.skipped(ctx, ev, skip)
	}
	details := storedDetails{EventType: ev.Type, Source: ev.Source, Related: f.Related}
	e := foreignEntry{ID: ev.ID, Type: f.Type, Summary: f.Summary, At: pg.Timestamp(ev.Time), Details: details}
	touch := e.At
	if now := pg.Timestamp(r.now()); now.Before(touch) {
		touch = now // a clock ahead of ours moves lastActivityAt no further than now
	}
	ptx := r.db.With(tx, ev.TenantID)
	recorded := false
	for _, named := range []struct {
		t   *pgstore.Table
		ids []string
	}{{pgstore.Contacts, f.Contacts}, {pgstore.Accounts, f.Accounts}} {
		for _, id := range named.ids {
			ok, err := recordForeign(ctx, ptx, named.t, id, e, touch)
			if err != nil {
				return err
			}
			recorded = recorded || ok
		}
	}
	if !recorded {
		return r.skipped(ctx, ev, skipUnnamed)
	}
	r.counts.WithLabelValues(f.Category, outcomeRecorded).Inc()
	return nil
}

// skipped counts and logs ev, which is not in any timeline for reason.
func (r *Recorder) skipped(ctx context.Context, ev events.Event, reason string) error {
	context := "other"
	if m := foreignType.FindStringSubmatch(ev.Type); m != nil && slices.Contains(Contexts, m[1]) {
		context = m[1]
	}
	r.counts.WithLabelValues(context, reason).Inc()
	r.logger.DebugContext(ctx, "event not in a timeline", "event_id", ev.ID, "type", ev.Type, "reason", reason)
	return nil
}
