package outbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
)

// relayLockKey serialises relays of one database so one key's events are
// never published out of order by two replicas.
const relayLockKey = 0x6f7574626f78 // "outbox"

// relayStatements is how many statements a relay prepares: its lock and its
// DELETE of a batch.
const relayStatements = 2

// DefaultBatchSize is the most rows a relay publishes at once unless
// RelayConfig.BatchSize says otherwise.
const DefaultBatchSize = 2000

// Publisher is what the relay publishes with; *events.Publisher implements it.
type Publisher interface {
	Publish(ctx context.Context, msgs ...kafka.Message) error
}

// Metrics is what the relay reports; *obs.Metrics implements it.
type Metrics interface {
	OutboxBacklog(n int)
	Published(n int)
}

// RelayConfig configures a Relay. DB, DSN (for LISTEN) and Publisher are
// required.
type RelayConfig struct {
	DB        *sqlx.DB
	DSN       string
	Publisher Publisher
	// BatchSize is the most rows published at once (DefaultBatchSize).
	BatchSize int
	// Poll is the fallback wake-up when no notification arrives (default 1s).
	Poll time.Duration
	// MaxBackoff caps the wait after a failed publish (default 5s).
	MaxBackoff time.Duration
	Logger     *slog.Logger
	Metrics    Metrics
}

// Relay publishes committed outbox rows to Kafka and deletes them.
type Relay struct {
	cfg   RelayConfig
	stmts *pg.Statements // the lock and the DELETE of a batch, prepared
	// afterPublish, when set by tests, runs between publishing a batch and
	// deleting it; returning an error abandons the batch there, as a crash would.
	afterPublish func(n int) error
}

// NewRelay validates cfg and returns a relay; Run starts it.
func NewRelay(cfg RelayConfig) (*Relay, error) {
	if cfg.DB == nil || cfg.DSN == "" || cfg.Publisher == nil {
		return nil, errors.New("outbox: relay needs DB, DSN and Publisher")
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Relay{cfg: cfg, stmts: pg.NewStatements(cfg.DB, relayStatements)}, nil
}

// Run relays until ctx ends. Failures (database or broker down) are logged and
// retried with back-off; rows stay in the outbox until they are published.
func (r *Relay) Run(ctx context.Context) error {
	listener := pq.NewListener(r.cfg.DSN, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			r.cfg.Logger.WarnContext(ctx, "outbox listener", "event", int(ev), "error", err.Error())
		}
	})
	defer listener.Close()
	if err := listener.Listen(Channel); err != nil {
		r.cfg.Logger.WarnContext(ctx, "outbox listen failed; polling until it reconnects", "error", err.Error())
	}
	woken, unregister := localRelays.add()
	defer unregister()

	backoff := 100 * time.Millisecond
	poll := time.NewTicker(r.cfg.Poll)
	defer poll.Stop()
	backlogTick := time.NewTicker(5 * time.Second)
	defer backlogTick.Stop()
	for {
		if err := r.drain(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			r.cfg.Logger.WarnContext(ctx, "outbox relay failed; retrying", "retry_in", backoff.String(), "error", err.Error())
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(backoff*2, r.cfg.MaxBackoff)
			continue
		}
		backoff = 100 * time.Millisecond
		if !r.wait(ctx, woken, listener.Notify, poll.C, backlogTick.C) {
			return nil
		}
	}
}

// wait blocks until something may have been committed to the outbox (a
// wake-up, a notification, the fallback poll) and reports false when ctx
// ends. The backlog tick only reports the backlog and waits on.
func (r *Relay) wait(ctx context.Context, woken <-chan struct{}, notified <-chan *pq.Notification, poll, backlog <-chan time.Time) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-woken:
			return true
		case <-notified:
			coalesce(notified)
			return true
		case <-poll:
			return true
		case <-backlog:
			r.reportBacklog(ctx)
		}
	}
}

// drain publishes batches until the outbox is empty.
func (r *Relay) drain(ctx context.Context) error {
	for {
		n, err := r.relayBatch(ctx)
		if err != nil {
			return err
		}
		if n < r.cfg.BatchSize {
			return nil
		}
	}
}

type row struct {
	Seq      int64     `db:"seq"`
	TenantID string    `db:"tenant_id"`
	Topic    string    `db:"topic"`
	EventID  string    `db:"event_id"`
	Source   string    `db:"source"`
	Type     string    `db:"type"`
	Subject  string    `db:"subject"`
	Time     time.Time `db:"time"`
	Data     []byte    `db:"data"`
	// TraceParent is "" for a row added without a trace (NULL).
	TraceParent string `db:"traceparent"`
}

// beginBatch starts a relay's transaction: it may read and delete the
// queue, holds the relay lock ($1), and need not wait for the disk to
// commit (losing the commit in a crash only re-publishes the batch:
// delivery is at least once). takeBatch, a prepared statement, is planned
// for the outbox it finds each time (force_custom_plan): the generic plan
// PostgreSQL settles on after five runs on an idle, empty outbox joins the
// batch to the table in a nested loop, rescanning the batch for every
// queued row, so a burst of 100,000 events took about a minute a batch.
const beginBatch = `SELECT set_config('app.outbox_relay', 'on', true), set_config('synchronous_commit', 'off', true),
	set_config('plan_cache_mode', 'force_custom_plan', true), pg_advisory_xact_lock($1)`

// takeBatch deletes and returns up to $1 of the oldest rows of the queue:
// it reads their seqs from the primary key, looks each row up by it, and
// deletes each by its TID (a queued row is never updated, and the relay
// lock keeps other relays off): a plan that does not depend on what the
// statistics say of the outbox.
// Written seq IN (the oldest rows), it was planned for the outbox the
// statistics saw — after a VACUUM of a drained outbox, an empty one
// whatever its size — and joined the batch to the whole queue in a nested loop: some
// three minutes a batch at 1,000,000 rows, queued by a CSV import.
const takeBatch = `DELETE FROM outbox WHERE ctid = ANY(ARRAY(SELECT o.ctid FROM (SELECT seq FROM outbox ORDER BY seq LIMIT $1) b
		CROSS JOIN LATERAL (SELECT ctid FROM outbox WHERE seq = b.seq OFFSET 0) o))
	RETURNING seq, tenant_id, topic, event_id, source, type, subject, time, data, COALESCE(traceparent, '') AS traceparent`

// relayBatch takes up to BatchSize rows out of the outbox in id order,
// publishes them and commits, in one transaction holding the relay lock: a
// failed publish rolls the rows back into the queue. The lock makes this relay
// the only reader of the outbox until it commits, so rows are not also locked
// one by one. It returns how many it relayed.
func (r *Relay) relayBatch(ctx context.Context) (int, error) {
	var n int
	err := pg.WithTx(ctx, r.cfg.DB, func(t *sqlx.Tx) error {
		tx := r.stmts.In(t)
		if _, err := tx.ExecContext(ctx, beginBatch, relayLockKey); err != nil {
			return fmt.Errorf("outbox: lock: %w", err)
		}
		var rows []row
		if err := sqlx.SelectContext(ctx, tx, &rows, takeBatch, r.cfg.BatchSize); err != nil {
			return fmt.Errorf("outbox: take batch: %w", err)
		}
		if len(rows) == 0 {
			return nil
		}
		slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.Seq, b.Seq) }) // RETURNING has no order
		msgs := make([]kafka.Message, len(rows))
		for i, rw := range rows {
			ev := events.Event{ID: rw.EventID, Source: rw.Source, Type: rw.Type, Subject: rw.Subject,
				TenantID: rw.TenantID, Time: rw.Time, Data: rw.Data, TraceParent: rw.TraceParent}
			msgs[i] = ev.Message(rw.Topic)
		}
		if err := r.cfg.Publisher.Publish(ctx, msgs...); err != nil {
			return err
		}
		if r.afterPublish != nil {
			if err := r.afterPublish(len(rows)); err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	if err == nil && n > 0 && r.cfg.Metrics != nil {
		r.cfg.Metrics.Published(n)
	}
	return n, err
}

// reportBacklog sets the backlog gauge to the number of waiting rows.
func (r *Relay) reportBacklog(ctx context.Context) {
	if r.cfg.Metrics == nil {
		return
	}
	var n int
	err := pg.WithTx(ctx, r.cfg.DB, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT set_config('app.outbox_relay', 'on', true)`); err != nil {
			return err
		}
		return tx.GetContext(ctx, &n, `SELECT count(*) FROM outbox`)
	})
	if err != nil {
		r.cfg.Logger.WarnContext(ctx, "outbox backlog", "error", err.Error())
		return
	}
	r.cfg.Metrics.OutboxBacklog(n)
}

// coalesce discards notifications already queued: one drain covers them all.
func coalesce(ch <-chan *pq.Notification) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}
