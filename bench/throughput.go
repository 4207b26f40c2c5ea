package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
)

// Sizes of the throughput runs.
const (
	drainN        = 50_000 // records per throughput run
	produceBatch  = 500    // records per raw WriteMessages call
	fillPerTx     = 100    // events per transaction when filling the outbox
	fillWriters   = 4      // concurrent transactions filling the outbox (untimed)
	e2eWriters    = 8      // concurrent business transactions
	e2ePerWriter  = 2_000  // transactions per writer
	publishWaitUp = 3 * time.Minute
)

// throughput holds the results of part 1.
type throughput struct {
	RawProduce   float64 // records/s, kafka-go WriteMessages of 500
	Drain        drain   // relay draining a full outbox, default batch size
	BigDrain     drain   // the same with a larger relay batch
	E2ECommitted float64 // business transactions/s with the relay running
	E2EPublished float64 // the same events, published/s (until the last ack)
	RawInserts   float64 // plain single-row INSERT transactions/s
	// Decomposition of the business transaction's cost: plain INSERT plus
	// set_config (tenant tx), plus pg_notify, and both.
	TenantInserts, NotifyInserts float64
}

// drain is one outbox drain run.
type drain struct {
	BatchSize int           // relay BatchSize
	Rate      float64       // records/s
	Batches   int64         // relay batches
	Took      time.Duration // until the last batch committed
	Publish   time.Duration // of Took, spent in Publisher.Publish
}

// rawProduce writes drainN records with events.NewPublisher in calls of
// produceBatch and returns records/s.
func rawProduce(ctx context.Context) (float64, error) {
	topic := events.Topic("", "rawproduce")
	c, err := newCluster(topic)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	pub := events.NewPublisher(c.ListenAddrs())
	defer pub.Close()
	tenant := newTenant()
	msgs := make([]kafka.Message, drainN)
	for i := range msgs {
		msgs[i] = newEvent(tenant, i).Message(topic)
	}
	start := time.Now()
	for i := 0; i < len(msgs); i += produceBatch {
		if err := pub.Publish(ctx, msgs[i:min(i+produceBatch, len(msgs))]...); err != nil {
			return 0, err
		}
	}
	elapsed := time.Since(start)
	if n, err := countTopic(c.ListenAddrs(), topic, drainN, time.Minute); err != nil || n != drainN {
		return 0, fmt.Errorf("raw produce: %d records on the topic, want %d (%v)", n, drainN, err)
	}
	return drainN / elapsed.Seconds(), nil
}

// outboxDrain commits drainN events into the outbox with no relay running,
// then starts a relay with batchSize and times it until every record is
// acknowledged and deleted.
func outboxDrain(ctx context.Context, db *sqlx.DB, dsn string, batchSize int) (drain, error) {
	topic := events.Topic("", "drain")
	c, err := newCluster(topic)
	if err != nil {
		return drain{}, err
	}
	defer c.Close()
	tenant := newTenant()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(fillWriters)
	for i := 0; i < drainN; i += fillPerTx {
		g.Go(func() error {
			evs := make([]events.Event, 0, fillPerTx)
			for j := i; j < min(i+fillPerTx, drainN); j++ {
				evs = append(evs, newEvent(tenant, j))
			}
			return addEvents(gctx, db, tenant, topic, evs...)
		})
	}
	if err := g.Wait(); err != nil {
		return drain{}, fmt.Errorf("fill outbox: %w", err)
	}
	if n, err := outboxLen(ctx, db); err != nil || n != drainN {
		return drain{}, fmt.Errorf("outbox holds %d rows before the drain, want %d (%v)", n, drainN, err)
	}

	counter := newPublishCounter(drainN)
	start := time.Now()
	pub, stop, err := startRelay(db, dsn, c.ListenAddrs(), counter, batchSize)
	if err != nil {
		return drain{}, err
	}
	defer stop()
	if err := waitDone(ctx, counter, "outbox drain"); err != nil {
		return drain{}, err
	}
	elapsed := time.Since(start)
	d := drain{BatchSize: batchSize, Rate: drainN / elapsed.Seconds(), Batches: counter.batches.Load(), Took: elapsed, Publish: pub.Spent()}
	return d, verify(ctx, db, c.ListenAddrs(), topic, drainN)
}

// endToEnd runs e2eWriters writers each committing e2ePerWriter one-event
// transactions with the relay running. It returns committed transactions/s
// (until the last commit) and published events/s (until the last ack).
func endToEnd(ctx context.Context, db *sqlx.DB, dsn string) (committed, published float64, err error) {
	topic := events.Topic("", "e2e")
	c, err := newCluster(topic)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	const total = e2eWriters * e2ePerWriter
	counter := newPublishCounter(total)
	_, stop, err := startRelay(db, dsn, c.ListenAddrs(), counter, 0)
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	tenant := newTenant()
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for w := range e2eWriters {
		g.Go(func() error {
			for i := range e2ePerWriter {
				if err := addEvents(gctx, db, tenant, topic, newEvent(tenant, w*e2ePerWriter+i)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, 0, fmt.Errorf("end-to-end writers: %w", err)
	}
	commitTime := time.Since(start)
	if err := waitDone(ctx, counter, "end-to-end publish"); err != nil {
		return 0, 0, err
	}
	pubTime := time.Since(start)
	if err := verify(ctx, db, c.ListenAddrs(), topic, total); err != nil {
		return 0, 0, err
	}
	return total / commitTime.Seconds(), total / pubTime.Seconds(), nil
}

// Statements of the plain-table transactions.
const (
	plainInsert = `INSERT INTO bench_plain (tenant_id, data) VALUES ($1, $2)`
	// notifyInsert is plainInsert with the outbox's NOTIFY.
	notifyInsert = `WITH ins AS (INSERT INTO bench_plain (tenant_id, data) VALUES ($1, $2)) SELECT pg_notify('bench_plain', '')`
)

// rawInserts runs the same number of one-row transactions as endToEnd, at
// the same concurrency, into a plain table without RLS or outbox, and returns
// transactions/s. query is plainInsert or notifyInsert; with tenantTx the
// transaction is pg.WithTenantTx (one more round trip, set_config), else
// pg.WithTx.
func rawInserts(ctx context.Context, db *sqlx.DB, query string, tenantTx bool) (float64, error) {
	tenant := newTenant()
	data := newEvent(tenant, 0).Data
	withTx := func(ctx context.Context, fn func(*sqlx.Tx) error) error {
		if tenantTx {
			return pg.WithTenantTx(ctx, db, tenant, fn)
		}
		return pg.WithTx(ctx, db, fn)
	}
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for range e2eWriters {
		g.Go(func() error {
			for range e2ePerWriter {
				err := withTx(gctx, func(tx *sqlx.Tx) error {
					_, err := tx.ExecContext(gctx, query, tenant, []byte(data))
					return err
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, fmt.Errorf("raw inserts: %w", err)
	}
	return e2eWriters * e2ePerWriter / time.Since(start).Seconds(), nil
}

// plainTableDDL creates the table rawInserts writes to.
const plainTableDDL = `CREATE TABLE bench_plain (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, data bytea NOT NULL)`

// waitDone waits until the relay published counter.Target records.
func waitDone(ctx context.Context, counter *publishCounter, what string) error {
	select {
	case <-counter.Done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(publishWaitUp):
		return fmt.Errorf("%s: only %d of %d published after %s", what, counter.published.Load(), counter.Target, publishWaitUp)
	}
}

// verify checks that the outbox is empty and topic holds want records.
func verify(ctx context.Context, db *sqlx.DB, brokers []string, topic string, want int) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := outboxLen(ctx, db)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %d rows left in the outbox", topic, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	n, err := countTopic(brokers, topic, want, time.Minute)
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("%s: %d records on the topic, want %d", topic, n, want)
	}
	return nil
}
