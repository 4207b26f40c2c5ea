package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
)

// partitions is the partition count of every benchmark topic.
const partitions = 6

// keys is how many distinct record keys (entity ids) the events spread over.
const keys = 1000

// logger reports relay warnings; everything below Warn is dropped.
var logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// quiet discards migration chatter.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// payload is an event's data: the sequence number that matches a send to its
// receive, padded so the JSON is about 300 bytes.
type payload struct {
	Seq int    `json:"seq"`
	Pad string `json:"pad"`
}

var pad = strings.Repeat("x", 280)

// newEvent returns the benchmark event number seq of tenant.
func newEvent(tenant string, seq int) events.Event {
	ev, err := events.New("/rapport/bench", "dev.rapport.bench.thing.updated.v1",
		"thing-"+strconv.Itoa(seq%keys), tenant, payload{Seq: seq, Pad: pad})
	if err != nil {
		panic(err) // only a broken UUID source or an unencodable payload fail
	}
	return ev
}

// seqOf reads the sequence number back from a record value.
func seqOf(value []byte) (int, error) {
	var p payload
	if err := json.Unmarshal(value, &p); err != nil {
		return 0, fmt.Errorf("payload %.40q: %w", value, err)
	}
	return p.Seq, nil
}

// newCluster starts a one-broker kfake cluster with topic seeded.
func newCluster(topic string) (*kfake.Cluster, error) {
	return kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic))
}

// countTopic reads topic from its start until want records arrived or timeout
// passed, and returns how many it read.
func countTopic(brokers []string, topic string, want int, timeout time.Duration) (int, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	n := 0
	for n < want && ctx.Err() == nil {
		n += cl.PollFetches(ctx).NumRecords()
	}
	return n, nil
}

// addEvents commits evs into the outbox for topic in one tenant transaction.
func addEvents(ctx context.Context, db *sqlx.DB, tenant, topic string, evs ...events.Event) error {
	return pg.WithTenantTx(ctx, db, tenant, func(tx *sqlx.Tx) error {
		for _, ev := range evs {
			if err := outbox.Add(ctx, tx, topic, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// outboxLen counts the rows waiting in the outbox, as the relay sees them.
func outboxLen(ctx context.Context, db *sqlx.DB) (int, error) {
	var n int
	err := pg.WithTx(ctx, db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT set_config('app.outbox_relay', 'on', true)`); err != nil {
			return err
		}
		return tx.GetContext(ctx, &n, `SELECT count(*) FROM outbox`)
	})
	return n, err
}

// publishCounter implements outbox.Metrics and closes Done once Target
// records were published.
type publishCounter struct {
	Target    int64
	Done      chan struct{}
	published atomic.Int64
	batches   atomic.Int64
	once      sync.Once
}

func newPublishCounter(target int) *publishCounter {
	return &publishCounter{Target: int64(target), Done: make(chan struct{})}
}

// OutboxBacklog ignores the backlog gauge.
func (c *publishCounter) OutboxBacklog(int) {}

// Published counts n relayed records.
func (c *publishCounter) Published(n int) {
	c.batches.Add(1)
	if c.published.Add(int64(n)) >= c.Target {
		c.once.Do(func() { close(c.Done) })
	}
}

// timedPublisher is events.Publisher adding up the time spent in Publish, so
// a relay's time splits into Kafka (publish) and PostgreSQL (the rest).
type timedPublisher struct {
	*events.Publisher
	nanos atomic.Int64
}

// Publish publishes msgs and adds the call's duration.
func (p *timedPublisher) Publish(ctx context.Context, msgs ...kafka.Message) error {
	t := time.Now()
	err := p.Publisher.Publish(ctx, msgs...)
	p.nanos.Add(int64(time.Since(t)))
	return err
}

// Spent is the total time spent in Publish so far.
func (p *timedPublisher) Spent() time.Duration { return time.Duration(p.nanos.Load()) }

// startRelay runs an outbox relay (batchSize 0: the default 500; poll 1s)
// publishing through events.NewPublisher, and returns its publisher and stop
// function.
func startRelay(db *sqlx.DB, dsn string, brokers []string, m outbox.Metrics, batchSize int) (pub *timedPublisher, stop func(), err error) {
	pub = &timedPublisher{Publisher: events.NewPublisher(brokers)}
	r, err := outbox.NewRelay(outbox.RelayConfig{DB: db, DSN: dsn, Publisher: pub, Logger: logger, Metrics: m, BatchSize: batchSize})
	if err != nil {
		pub.Close()
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	return pub, func() { cancel(); <-done; pub.Close() }, nil
}

// newTenant returns a fresh tenant id.
func newTenant() string { return uuid.NewString() }
