package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/pg"
)

// Handler applies one event inside tx, the transaction that also records the
// event in the inbox. Returning an error rolls both back; the event is then
// retried and, after MaxAttempts, dead-lettered. An error that only waiting
// cures (pg.Transient: too many connections, the server restarting, a lost
// connection, a deadlock) counts no attempt: the event is tried again,
// without limit, until it passes or fails for another reason (retry.go).
type Handler func(ctx context.Context, tx *sqlx.Tx, ev Event) error

// BatchHandler applies, in the batch mode, a tenant's group of events
// inside tx, the transaction that also records them in the inbox: evs are
// those the inbox did not hold yet (each once), in the order their
// partitions delivered them. Returning an error rolls the group back; its
// events are then processed one by one by the Handler (consumer_batch.go).
type BatchHandler func(ctx context.Context, tx *sqlx.Tx, evs []Event) error

// Metrics is what the consumer reports; *obs.Metrics implements it.
type Metrics interface {
	ConsumerLag(topic, group string, lag int64)
	// TopicMissing says whether a topic of the group does not exist (yet).
	TopicMissing(topic, group string, missing bool)
	DeadLettered(topic string)
}

// ConsumerConfig configures a Consumer. Brokers, Group, Topics, DB and Handler
// are required.
type ConsumerConfig struct {
	Brokers []string
	Group   string
	Topics  []string
	DB      *sqlx.DB
	Handler Handler
	// MaxAttempts bounds how often one event is tried before it goes to the
	// dead-letter topic (default 5); transient failures (pg.Transient) do
	// not count. Backoff is the first wait between attempts, doubled each
	// time (default 100ms; up to transientWaitMax between transient ones).
	MaxAttempts int
	Backoff     time.Duration
	// TopicWait is how often the consumer looks again for those of Topics
	// that do not exist yet (default 5s): it consumes the others meanwhile.
	TopicWait time.Duration
	// Batch is how many events at most one transaction applies (0 or 1:
	// one). Above one, the records already fetched are taken with the first
	// (waiting batchWait at most), each tenant's in one transaction, and
	// their offsets committed once every transaction has (consumer_batch.go).
	// It suits handlers whose events are cheap and many.
	Batch int
	// BatchHandler, when set, applies each tenant's group of a batch
	// instead of Handler event by event (only when Batch > 1); Handler
	// still processes the events of a group that failed.
	BatchHandler BatchHandler

	Logger  *slog.Logger
	Metrics Metrics
}

// Consumer runs a consumer group whose handler writes and inbox insert share
// one transaction; the Kafka offset is committed only after that transaction
// commits, so a crash in between leads to a redelivery the inbox skips.
//
// A topic that does not exist yet (another context's, before its service
// runs) is no error: the consumer reads those of its topics that exist and
// joins the others as they appear (topics.go).
type Consumer struct {
	cfg    ConsumerConfig
	topics *topicWatch
	dlq    *Publisher

	mu  sync.Mutex
	lag map[string]map[int]int64 // topic → partition → lag

	// afterApply, when set by tests, runs between the handler's commit and the
	// offset commit; returning an error stops Run there, as a crash would.
	afterApply func(Event) error
}

// NewConsumer validates cfg and returns a consumer; Run starts it.
func NewConsumer(cfg ConsumerConfig) (*Consumer, error) {
	switch {
	case len(cfg.Brokers) == 0:
		return nil, errors.New("events: consumer needs brokers")
	case cfg.Group == "":
		return nil, errors.New("events: consumer needs a group")
	case len(cfg.Topics) == 0:
		return nil, errors.New("events: consumer needs topics")
	case cfg.DB == nil || cfg.Handler == nil:
		return nil, errors.New("events: consumer needs a database and a handler")
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 100 * time.Millisecond
	}
	if cfg.TopicWait <= 0 {
		cfg.TopicWait = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Consumer{cfg: cfg, topics: newTopicWatch(cfg), dlq: NewPublisher(cfg.Brokers), lag: map[string]map[int]int64{}}, nil
}

// newReader returns a reader of the group on topics.
func (c *Consumer) newReader(topics []string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:        c.cfg.Brokers,
		GroupID:        c.cfg.Group,
		GroupTopics:    topics,
		MinBytes:       1,
		MaxBytes:       10 << 20,
		MaxWait:        100 * time.Millisecond,
		CommitInterval: 0, // synchronous commits, after the transaction
		StartOffset:    kafka.FirstOffset,
		// A quick rebalance keeps a restarted consumer's redelivery prompt.
		HeartbeatInterval: time.Second,
		SessionTimeout:    6 * time.Second,
		RebalanceTimeout:  6 * time.Second,
		ReadBackoffMin:    10 * time.Millisecond,
		ReadBackoffMax:    100 * time.Millisecond,
	})
}

// Run consumes until ctx ends or the dead-letter topic cannot be written.
// It returns nil on a clean stop. A fetch or an offset commit the broker
// failed (it is restarting) is not fatal: Run joins the group again a
// moment later. Topics that do not exist yet never make it fail: it consumes those
// that do (waiting while there are none) and, when another appears, joins
// the group again with it.
func (c *Consumer) Run(ctx context.Context) error {
	defer c.dlq.Close()
	defer c.topics.close()
	for {
		present, err := c.topics.await(ctx)
		if err != nil {
			return nil // ctx ended
		}
		err = c.consume(ctx, present)
		var unreachable *brokerError
		if errors.As(err, &unreachable) && ctx.Err() == nil {
			// The broker went away (restarted, a leader moved): what was
			// fetched and not committed is fetched again, and the inbox
			// keeps an event applied already from a second effect.
			c.cfg.Logger.WarnContext(ctx, "events: the broker failed; joining the group again", "group", c.cfg.Group, "error", err.Error())
			select {
			case <-time.After(rejoinPause):
				continue
			case <-ctx.Done():
				return nil
			}
		}
		if err != nil || ctx.Err() != nil {
			return err
		}
	}
}

// rejoinPause is the wait before a consumer whose broker failed joins its
// group again.
const rejoinPause = time.Second

// brokerError is a fetch or an offset commit the broker failed (it is
// restarting, or the group is being rebalanced). Run recovers from it by
// joining the group again.
type brokerError struct{ err error }

func (e *brokerError) Error() string { return "events: " + e.err.Error() }
func (e *brokerError) Unwrap() error { return e.err }

// consume reads topics until ctx ends (nil), a commit fails (its error) or
// a topic of the consumer's that was missing comes into being (nil, ctx
// alive): the reader then leaves the group, and Run joins it again.
func (c *Consumer) consume(ctx context.Context, topics []string) error {
	reader := c.newReader(topics)
	defer reader.Close()
	fetching, grown := context.WithCancel(ctx)
	defer grown()
	if len(topics) < len(c.cfg.Topics) {
		go c.topics.watch(fetching, topics, grown)
	}
	for {
		m, err := reader.FetchMessage(fetching)
		if err != nil {
			if fetching.Err() != nil {
				return nil
			}
			return &brokerError{fmt.Errorf("fetch: %w", err)}
		}
		msgs := []kafka.Message{m}
		if c.cfg.Batch > 1 {
			if msgs, err = c.fill(fetching, reader, m); err != nil {
				return &brokerError{fmt.Errorf("fetch: %w", err)}
			}
			err = c.processBatch(ctx, msgs)
		} else {
			c.reportLag(m)
			err = c.process(ctx, m)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if err := reader.CommitMessages(ctx, newest(msgs)...); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			last := msgs[len(msgs)-1]
			return &brokerError{fmt.Errorf("commit offset %s/%d@%d: %w", last.Topic, last.Partition, last.Offset, err)}
		}
	}
}

// process applies m with retries, or dead-letters it, in the record's
// consumer span (trace.go), which the handler's context carries. It returns
// an error only when the consumer must stop (ctx ended, the dead-letter
// topic is unwritable).
func (c *Consumer) process(ctx context.Context, m kafka.Message) (stop error) {
	ctx, span := startProcess(ctx, m, c.cfg.Group)
	defer func() { endProcess(span, stop) }()
	ev, err := Parse(m)
	if err == nil && ev.TenantID == "" {
		err = errors.New("events: ce_tenantid missing")
	}
	if err != nil {
		return c.deadLetter(ctx, m, err, 0)
	}
	wait := c.cfg.Backoff
	for attempt := 1; ; attempt++ {
		err = c.untilLasting(ctx, func() error { return c.apply(ctx, ev) })
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		c.cfg.Logger.WarnContext(ctx, "event handler failed", "topic", m.Topic, "event_id", ev.ID, "type", ev.Type, "attempt", attempt, "error", err.Error())
		if attempt >= c.cfg.MaxAttempts {
			return c.deadLetter(ctx, m, err, attempt)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
	if c.afterApply != nil {
		if err := c.afterApply(ev); err != nil {
			return err
		}
	}
	return nil
}

// apply runs the handler and the inbox insert in one tenant transaction; an
// event already in the inbox for the consumer's group is skipped without
// calling the handler. A row of the empty group (written before the inbox
// kept groups apart) counts for every group.
func (c *Consumer) apply(ctx context.Context, ev Event) error {
	return pg.WithTenantTx(ctx, c.cfg.DB, ev.TenantID, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx,
			`INSERT INTO inbox (tenant_id, source, id, type, consumer_group) SELECT $1, $2, $3, $4, $5
			 WHERE NOT EXISTS (SELECT 1 FROM inbox WHERE tenant_id = $1 AND source = $2 AND id = $3 AND consumer_group = '')
			 ON CONFLICT DO NOTHING`,
			ev.TenantID, ev.Source, ev.ID, ev.Type, c.cfg.Group)
		if err != nil {
			return fmt.Errorf("events: inbox insert: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			c.cfg.Logger.DebugContext(ctx, "duplicate event skipped", "event_id", ev.ID, "type", ev.Type)
			return nil
		}
		return c.cfg.Handler(ctx, tx, ev)
	})
}

// deadLetter copies m to its topic's DLQ with the error and attempt count in
// headers added to its own (ce_traceparent included), so the partition can
// move on.
func (c *Consumer) deadLetter(ctx context.Context, m kafka.Message, cause error, attempts int) error {
	dl := kafka.Message{
		Topic: DLQ(m.Topic),
		Key:   m.Key,
		Value: m.Value,
		Headers: append(append([]kafka.Header{}, m.Headers...),
			kafka.Header{Key: HeaderError, Value: []byte(cause.Error())},
			kafka.Header{Key: HeaderAttempts, Value: []byte(strconv.Itoa(attempts))},
			kafka.Header{Key: HeaderOrigin, Value: []byte(fmt.Sprintf("%s/%d@%d", m.Topic, m.Partition, m.Offset))},
		),
	}
	if err := c.dlq.Publish(ctx, dl); err != nil {
		return fmt.Errorf("events: dead-letter %s/%d@%d: %w", m.Topic, m.Partition, m.Offset, err)
	}
	deadLettered(ctx, cause)
	c.cfg.Logger.ErrorContext(ctx, "event dead-lettered", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "attempts", attempts, "error", cause.Error())
	if c.cfg.Metrics != nil {
		c.cfg.Metrics.DeadLettered(m.Topic)
	}
	return nil
}

// reportLag records how far this partition is behind its high watermark and
// reports the topic's total.
func (c *Consumer) reportLag(m kafka.Message) {
	if c.cfg.Metrics == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	parts := c.lag[m.Topic]
	if parts == nil {
		parts = map[int]int64{}
		c.lag[m.Topic] = parts
	}
	parts[m.Partition] = max(m.HighWaterMark-m.Offset-1, 0)
	var total int64
	for _, l := range parts {
		total += l
	}
	c.cfg.Metrics.ConsumerLag(m.Topic, c.cfg.Group, total)
}
