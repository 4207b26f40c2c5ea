package events

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const effectsSchema = `
-- +goose Up
CREATE TABLE effects (tenant_id uuid NOT NULL, event_id uuid NOT NULL, PRIMARY KEY (tenant_id, event_id));
ALTER TABLE effects ENABLE ROW LEVEL SECURITY;
ALTER TABLE effects FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON effects
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- +goose Down
DROP TABLE effects;
`

type consumerFixture struct {
	db      *sqlx.DB
	brokers []string
	topic   string
	tenant  string
	pub     *Publisher
}

func newConsumerFixture(t testing.TB) consumerFixture {
	t.Helper()
	topic := Topic("", "test")
	return newConsumerFixtureOn(t, testkit.Kafka(t, kfake.SeedTopics(3, topic, DLQ(topic))), topic)
}

// newConsumerFixtureOn is newConsumerFixture on the Kafka of brokers,
// publishing to topic.
func newConsumerFixtureOn(t testing.TB, brokers []string, topic string) consumerFixture {
	t.Helper()
	d := testkit.Postgres(t)
	admin := testkit.Open(t, d.AdminURL)
	effects := pg.Source{Name: "effects", FS: mapFS{"0001_effects.sql": effectsSchema}}
	if err := pg.Migrate(context.Background(), admin.DB, quiet, d.AppRole, InboxMigrations(), effects); err != nil {
		t.Fatal(err)
	}
	pub := NewPublisher(brokers)
	t.Cleanup(func() { pub.Close() })
	return consumerFixture{db: testkit.Open(t, d.AppURL), brokers: brokers, topic: topic, tenant: uuid.NewString(), pub: pub}
}

func (f consumerFixture) publish(t *testing.T, typ string) Event {
	t.Helper()
	ev, err := New("/rapport/test", typ, uuid.NewString(), f.tenant, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.pub.Publish(context.Background(), ev.Message(f.topic)); err != nil {
		t.Fatal(err)
	}
	return ev
}

// recordEffect is a handler whose effect is one row per event.
func (f consumerFixture) recordEffect(calls *atomic.Int64) Handler {
	return func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
		calls.Add(1)
		_, err := tx.ExecContext(ctx, `INSERT INTO effects (tenant_id, event_id) VALUES ($1, $2)`, ev.TenantID, ev.ID)
		return err
	}
}

func (f consumerFixture) effects(t *testing.T) int {
	t.Helper()
	var n int
	err := pg.WithTenantTx(context.Background(), f.db, f.tenant, func(tx *sqlx.Tx) error {
		return tx.Get(&n, `SELECT count(*) FROM effects`)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f consumerFixture) run(t testing.TB, cfg ConsumerConfig, mutate func(*Consumer)) (stop func() error) {
	t.Helper()
	cfg.Brokers, cfg.DB, cfg.Logger = f.brokers, f.db, quiet
	if cfg.Topics == nil {
		cfg.Topics = []string{f.topic}
	}
	if cfg.Group == "" {
		cfg.Group = "test-group"
	}
	c, err := NewConsumer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(c)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func TestConsumerAppliesEachEventOnce(t *testing.T) {
	f := newConsumerFixture(t)
	var calls atomic.Int64
	f.run(t, ConsumerConfig{Handler: f.recordEffect(&calls)}, nil)
	const n = 200
	for range n {
		f.publish(t, "dev.rapport.test.thing.created.v1")
	}
	f.waitEffects(t, n, "every event applied")
	if got := calls.Load(); got != n {
		t.Errorf("handler calls: got %d, want %d", got, n)
	}
}

func TestCrashBetweenCommitAndOffsetCommitHasNoSecondEffect(t *testing.T) {
	f := newConsumerFixture(t)
	var calls atomic.Int64
	crashed := make(chan Event, 1)
	stop := f.run(t, ConsumerConfig{Handler: f.recordEffect(&calls)}, func(c *Consumer) {
		c.afterApply = func(ev Event) error {
			crashed <- ev
			return errors.New("killed after the transaction committed, before the offset commit")
		}
	})
	ev := f.publish(t, "dev.rapport.test.thing.created.v1")
	select {
	case got := <-crashed:
		if got.ID != ev.ID {
			t.Fatalf("crashed on %s, want %s", got.ID, ev.ID)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the consumer never applied the event")
	}
	if err := stop(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("Run after the crash: got %v, want the crash error", err)
	}
	if got := f.effects(t); got != 1 {
		t.Fatalf("effects after the crash: got %d, want 1 (the transaction committed)", got)
	}

	// A new consumer in the same group gets the event again: the offset was never committed.
	redelivered := make(chan string, 10)
	f.run(t, ConsumerConfig{Handler: f.recordEffect(&calls)}, func(c *Consumer) {
		c.afterApply = func(ev Event) error { redelivered <- ev.ID; return nil }
	})
	select {
	case id := <-redelivered:
		if id != ev.ID {
			t.Fatalf("redelivered %s, want %s", id, ev.ID)
		}
	case <-time.After(45 * time.Second):
		t.Fatal("the event was not redelivered after the crash")
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("handler calls: got %d, want 1 (the redelivery is skipped by the inbox)", got)
	}
	if got := f.effects(t); got != 1 {
		t.Errorf("effects after the redelivery: got %d, want 1", got)
	}
}

type lagRecorder struct {
	mu      sync.Mutex
	lags    []int64
	dlq     map[string]int
	missing map[string]bool
}

func (r *lagRecorder) ConsumerLag(_, _ string, lag int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lags = append(r.lags, lag)
}

func (r *lagRecorder) TopicMissing(topic, _ string, missing bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.missing == nil {
		r.missing = map[string]bool{}
	}
	r.missing[topic] = missing
}

func (r *lagRecorder) DeadLettered(topic string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dlq[topic]++
}

func TestPoisonEventGoesToDLQAfterBoundedRetries(t *testing.T) {
	f := newConsumerFixture(t)
	var calls, poisonCalls atomic.Int64
	good := f.recordEffect(&calls)
	metrics := &lagRecorder{dlq: map[string]int{}}
	f.run(t, ConsumerConfig{MaxAttempts: 3, Backoff: 10 * time.Millisecond, Metrics: metrics, Handler: func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
		if ev.Type == "dev.rapport.test.poison.created.v1" {
			poisonCalls.Add(1)
			return errors.New("cannot handle poison")
		}
		return good(ctx, tx, ev)
	}}, nil)

	poison := f.publish(t, "dev.rapport.test.poison.created.v1")
	after := f.publish(t, "dev.rapport.test.thing.created.v1")
	f.waitEffects(t, 1, "the event after the poison to be applied")

	recs := testkit.ReadTopic(t, f.brokers, DLQ(f.topic), 1, 15*time.Second)
	if len(recs) != 1 {
		t.Fatalf("dead-lettered records: got %d, want 1", len(recs))
	}
	h := map[string]string{}
	for _, kv := range recs[0].Headers {
		h[kv.Key] = string(kv.Value)
	}
	if h[HeaderID] != poison.ID || h[HeaderError] != "cannot handle poison" || h[HeaderAttempts] != "3" {
		t.Errorf("DLQ headers: got %v, want id %s, the error and 3 attempts", h, poison.ID)
	}
	if got := poisonCalls.Load(); got != 3 {
		t.Errorf("attempts on the poison event: got %d, want 3", got)
	}
	metrics.mu.Lock()
	defer metrics.mu.Unlock()
	if metrics.dlq[f.topic] != 1 {
		t.Errorf("dead-letter metric: got %v, want 1 for %s", metrics.dlq, f.topic)
	}
	if len(metrics.lags) == 0 {
		t.Errorf("consumer lag never reported")
	}
	_ = after
}

func TestMalformedRecordIsDeadLetteredNotRetried(t *testing.T) {
	f := newConsumerFixture(t)
	var calls atomic.Int64
	f.run(t, ConsumerConfig{Handler: f.recordEffect(&calls)}, nil)
	ev, _ := New("/rapport/test", "dev.rapport.test.thing.created.v1", "s", f.tenant, map[string]int{})
	bad := ev.Message(f.topic)
	bad.Headers = bad.Headers[:2] // no source, type or time
	if err := f.pub.Publish(context.Background(), bad); err != nil {
		t.Fatal(err)
	}
	recs := testkit.ReadTopic(t, f.brokers, DLQ(f.topic), 1, 20*time.Second)
	if len(recs) != 1 {
		t.Fatalf("dead-lettered: got %d, want 1", len(recs))
	}
	if calls.Load() != 0 {
		t.Errorf("handler called for a malformed record")
	}
}

func TestConsumerLagIsReported(t *testing.T) {
	f := newConsumerFixture(t)
	for range 50 {
		f.publish(t, "dev.rapport.test.thing.created.v1")
	}
	metrics := &lagRecorder{dlq: map[string]int{}}
	var calls atomic.Int64
	f.run(t, ConsumerConfig{Handler: f.recordEffect(&calls), Metrics: metrics}, nil)
	f.waitEffects(t, 50, "every event applied")
	metrics.mu.Lock()
	defer metrics.mu.Unlock()
	var peak int64
	for _, l := range metrics.lags {
		peak = max(peak, l)
	}
	if peak == 0 {
		t.Errorf("lag while 50 events waited: got peak 0, want > 0")
	}
	if last := metrics.lags[len(metrics.lags)-1]; last != 0 {
		t.Errorf("lag after catching up: got %d, want 0", last)
	}
}

// waitEffects waits until the handler has applied n events.
func (f consumerFixture) waitEffects(t *testing.T, n int, what string) {
	t.Helper()
	testkit.Eventually(t, 45*time.Second, what, func() (bool, string) {
		got := f.effects(t)
		return got == n, fmt.Sprintf("%d applied", got)
	})
}
