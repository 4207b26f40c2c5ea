package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// The batch mode's tests publish their events before the consumer starts,
// so that its first fetches find many: batches then hold several events,
// tenants and partitions.

const thingCreated = "dev.rapport.test.thing.created.v1"

// event returns an event of tenant about subject whose data is its seq.
func (f consumerFixture) event(t testing.TB, tenant, subject, typ string, seq int) Event {
	t.Helper()
	ev, err := New("/rapport/test", typ, subject, tenant, map[string]int{"seq": seq})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// publishAll publishes evs' records in one call, in order.
func (f consumerFixture) publishAll(t testing.TB, evs ...Event) {
	t.Helper()
	msgs := make([]kafka.Message, len(evs))
	for i, ev := range evs {
		msgs[i] = ev.Message(f.topic)
	}
	if err := f.pub.Publish(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

// countOf counts the rows of table tenant sees under its RLS policy.
func (f consumerFixture) countOf(t testing.TB, tenant, table string) int {
	t.Helper()
	var n int
	err := pg.WithTenantTx(context.Background(), f.db, tenant, func(tx *sqlx.Tx) error {
		return tx.Get(&n, `SELECT count(*) FROM `+table)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitCounts waits until every tenant of want has its count of effects.
func (f consumerFixture) waitCounts(t testing.TB, want map[string]int, what string) {
	t.Helper()
	testkit.Eventually(t, 45*time.Second, what, func() (bool, string) {
		var state []string
		ok := true
		for tenant, n := range want {
			got := f.countOf(t, tenant, "effects")
			ok = ok && got == n
			state = append(state, fmt.Sprintf("%s: %d of %d", tenant[:8], got, n))
		}
		return ok, strings.Join(state, ", ")
	})
}

func TestBatchAppliesEachTenantsEventsUnderItsOwnTenant(t *testing.T) {
	f := newConsumerFixture(t)
	tenants := []string{uuid.NewString(), uuid.NewString(), uuid.NewString()}
	var evs []Event
	for i := range 30 {
		evs = append(evs, f.event(t, tenants[i%3], uuid.NewString(), thingCreated, i))
	}
	f.publishAll(t, evs...)
	var mu sync.Mutex
	txs := map[int64]bool{}
	f.run(t, ConsumerConfig{Batch: 100, Handler: func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
		var tenant string
		var txid int64
		if err := tx.QueryRowContext(ctx, `SELECT current_setting('app.tenant_id'), txid_current()`).Scan(&tenant, &txid); err != nil {
			return err
		}
		if tenant != ev.TenantID {
			t.Errorf("event of %s applied in the transaction of %s", ev.TenantID, tenant)
		}
		mu.Lock()
		txs[txid] = true
		mu.Unlock()
		_, err := tx.ExecContext(ctx, `INSERT INTO effects (tenant_id, event_id) VALUES ($1, $2)`, ev.TenantID, ev.ID)
		return err
	}}, nil)
	f.waitCounts(t, map[string]int{tenants[0]: 10, tenants[1]: 10, tenants[2]: 10}, "every tenant's events applied")
	for _, tenant := range tenants {
		if got := f.countOf(t, tenant, "inbox"); got != 10 {
			t.Errorf("inbox rows of %s: got %d, want 10", tenant, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(txs) >= len(evs) {
		t.Errorf("transactions: got %d for %d events, want fewer (batches)", len(txs), len(evs))
	}
}

func TestBatchAppliesDuplicatesOnce(t *testing.T) {
	f := newConsumerFixture(t)
	old := f.event(t, f.tenant, "old", thingCreated, 0)
	if err := pg.WithTenantTx(context.Background(), f.db, f.tenant, func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO inbox (tenant_id, source, id, type) VALUES ($1, $2, $3, $4)`, old.TenantID, old.Source, old.ID, old.Type)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var evs []Event
	for i := range 5 {
		evs = append(evs, f.event(t, f.tenant, uuid.NewString(), thingCreated, i))
	}
	// Within a batch: two events twice, and one the inbox had before groups were kept apart.
	f.publishAll(t, evs[0], evs[1], evs[2], evs[1], evs[3], old, evs[2], evs[4])
	var calls, seen atomic.Int64
	record := f.recordEffect(&calls)
	f.run(t, ConsumerConfig{Batch: 100, Handler: func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
		if ev.ID == old.ID {
			t.Errorf("the event in the inbox's empty group was applied")
		}
		return record(ctx, tx, ev)
	}}, func(c *Consumer) {
		c.afterApply = func(Event) error { seen.Add(1); return nil }
	})
	testkit.Eventually(t, 45*time.Second, "every record consumed", func() (bool, string) {
		return seen.Load() == 8, fmt.Sprintf("%d of 8", seen.Load())
	})
	// Across batches: an applied event again, with a new one.
	late := f.event(t, f.tenant, uuid.NewString(), thingCreated, 5)
	f.publishAll(t, evs[3], late, evs[0])
	testkit.Eventually(t, 45*time.Second, "the later records consumed", func() (bool, string) {
		return seen.Load() == 11, fmt.Sprintf("%d of 11", seen.Load())
	})
	if got := calls.Load(); got != 6 {
		t.Errorf("handler calls: got %d, want 6 (one per distinct event)", got)
	}
	if got := f.effects(t); got != 6 {
		t.Errorf("effects: got %d, want 6", got)
	}
}

func TestBatchDeadLettersAPoisonEventAndAppliesTheRestOnce(t *testing.T) {
	f := newConsumerFixture(t)
	other := uuid.NewString()
	var evs []Event
	for i := range 5 {
		evs = append(evs, f.event(t, f.tenant, "a", thingCreated, i))
	}
	poison := f.event(t, f.tenant, "a", "dev.rapport.test.poison.created.v1", 5)
	evs = append(evs, poison)
	for i := 6; i < 11; i++ {
		evs = append(evs, f.event(t, f.tenant, "a", thingCreated, i), f.event(t, other, "b", thingCreated, i))
	}
	malformed := f.event(t, f.tenant, "a", thingCreated, 11).Message(f.topic)
	malformed.Headers = malformed.Headers[:2] // no source, type or time
	f.publishAll(t, evs...)
	if err := f.pub.Publish(context.Background(), malformed); err != nil {
		t.Fatal(err)
	}

	var calls, poisonCalls, otherCalls atomic.Int64
	record := f.recordEffect(&calls)
	metrics := &lagRecorder{dlq: map[string]int{}}
	f.run(t, ConsumerConfig{Batch: 100, MaxAttempts: 3, Backoff: 10 * time.Millisecond, Metrics: metrics, Handler: func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
		switch {
		case ev.ID == poison.ID:
			poisonCalls.Add(1)
			return errors.New("cannot handle poison")
		case ev.TenantID == other:
			otherCalls.Add(1)
		}
		return record(ctx, tx, ev)
	}}, nil)

	f.waitCounts(t, map[string]int{f.tenant: 10, other: 5}, "every event but the poison applied")
	recs := testkit.ReadTopic(t, f.brokers, DLQ(f.topic), 2, 20*time.Second)
	if len(recs) != 2 {
		t.Fatalf("dead-lettered records: got %d, want 2 (the poison and the malformed one)", len(recs))
	}
	var poisonAttempts string
	for _, r := range recs {
		h := map[string]string{}
		for _, kv := range r.Headers {
			h[kv.Key] = string(kv.Value)
		}
		if h[HeaderID] == poison.ID {
			poisonAttempts = h[HeaderAttempts]
		}
	}
	if poisonAttempts != "3" {
		t.Errorf("the poison's attempts when dead-lettered: got %q, want 3", poisonAttempts)
	}
	if got := f.countOf(t, f.tenant, "inbox"); got != 10 {
		t.Errorf("inbox rows of the poisoned tenant: got %d, want 10", got)
	}
	if got := otherCalls.Load(); got != 5 {
		t.Errorf("handler calls of the other tenant: got %d, want 5 (its transaction was not rolled back)", got)
	}
	metrics.mu.Lock()
	defer metrics.mu.Unlock()
	if metrics.dlq[f.topic] != 2 {
		t.Errorf("dead-letter metric: got %v, want 2 for %s (no applied event failed twice)", metrics.dlq, f.topic)
	}
}

func TestBatchKeepsEachPartitionsOrder(t *testing.T) {
	f := newConsumerFixture(t)
	tenants := []string{f.tenant, uuid.NewString()}
	subjects := []string{"s1", "s2", "s3"}
	var evs []Event
	for i := range 60 {
		evs = append(evs, f.event(t, tenants[i%2], subjects[i%3], thingCreated, i))
	}
	f.publishAll(t, evs[:30]...)
	var mu sync.Mutex
	applied := map[string][]int{} // tenant/subject → seqs
	var calls atomic.Int64
	record := f.recordEffect(&calls)
	f.run(t, ConsumerConfig{Batch: 100, Handler: func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
		var data struct{ Seq int }
		if err := json.Unmarshal(ev.Data, &data); err != nil {
			return err
		}
		mu.Lock()
		applied[ev.TenantID+"/"+ev.Subject] = append(applied[ev.TenantID+"/"+ev.Subject], data.Seq)
		mu.Unlock()
		return record(ctx, tx, ev)
	}}, nil)
	f.publishAll(t, evs[30:]...)
	f.waitCounts(t, map[string]int{tenants[0]: 30, tenants[1]: 30}, "every event applied")
	mu.Lock()
	defer mu.Unlock()
	for key, seqs := range applied {
		for i := 1; i < len(seqs); i++ {
			if seqs[i] <= seqs[i-1] {
				t.Errorf("%s applied in the order %v, want the published one", key, seqs)
				break
			}
		}
	}
}

func TestBatchCrashBetweenCommitAndOffsetCommitHasNoSecondEffect(t *testing.T) {
	f := newConsumerFixture(t)
	var evs []Event
	for i := range 20 {
		evs = append(evs, f.event(t, f.tenant, uuid.NewString(), thingCreated, i))
	}
	f.publishAll(t, evs...)
	var calls atomic.Int64
	crashed := make(chan Event, 1)
	stop := f.run(t, ConsumerConfig{Batch: 100, Handler: f.recordEffect(&calls)}, func(c *Consumer) {
		c.afterApply = func(ev Event) error {
			crashed <- ev
			return errors.New("killed after the transaction committed, before the offset commit")
		}
	})
	var first Event
	select {
	case first = <-crashed:
	case <-time.After(30 * time.Second):
		t.Fatal("the consumer never applied a batch")
	}
	if err := stop(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("Run after the crash: got %v, want the crash error", err)
	}
	committed := f.effects(t)
	if committed == 0 || int64(committed) != calls.Load() {
		t.Fatalf("effects after the crash: got %d for %d handler calls, want the batch's (its transaction committed)", committed, calls.Load())
	}

	// A new consumer in the same group gets the batch again: its offsets were never committed.
	var mu sync.Mutex
	redelivered := map[string]bool{}
	f.run(t, ConsumerConfig{Batch: 100, Handler: f.recordEffect(&calls)}, func(c *Consumer) {
		c.afterApply = func(ev Event) error {
			mu.Lock()
			defer mu.Unlock()
			redelivered[ev.ID] = true
			return nil
		}
	})
	f.waitEffects(t, len(evs), "every event applied after the restart")
	testkit.Eventually(t, 45*time.Second, "every event redelivered", func() (bool, string) {
		mu.Lock()
		defer mu.Unlock()
		return len(redelivered) == len(evs), fmt.Sprintf("%d of %d", len(redelivered), len(evs))
	})
	mu.Lock()
	defer mu.Unlock()
	if !redelivered[first.ID] {
		t.Errorf("the event applied before the crash was not redelivered")
	}
	if got := calls.Load(); got != int64(len(evs)) {
		t.Errorf("handler calls: got %d, want %d (the redelivered batch is skipped by the inbox)", got, len(evs))
	}
}

// seqOf returns the seq an event of the batch tests carries.
func seqOf(t testing.TB, ev Event) int {
	t.Helper()
	var data struct{ Seq int }
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		t.Fatal(err)
	}
	return data.Seq
}

func TestBatchHandlerGetsEachNewEventOnceInPartitionOrder(t *testing.T) {
	f := newConsumerFixture(t)
	old := f.event(t, f.tenant, "s0", thingCreated, 0)
	if err := pg.WithTenantTx(context.Background(), f.db, f.tenant, func(tx *sqlx.Tx) error {
		_, err := tx.Exec(`INSERT INTO inbox (tenant_id, source, id, type) VALUES ($1, $2, $3, $4)`, old.TenantID, old.Source, old.ID, old.Type)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tenants := []string{f.tenant, uuid.NewString()}
	subjects := []string{"s1", "s2", "s3"}
	var evs []Event
	for i := 1; i <= 40; i++ {
		evs = append(evs, f.event(t, tenants[i%2], subjects[i%3], thingCreated, i))
	}
	// Within a batch: two events twice and one the inbox had before groups were kept apart.
	f.publishAll(t, append(append([]Event{}, evs[:20]...), evs[3], old, evs[7])...)
	var mu sync.Mutex
	got := map[string][]int{} // tenant/subject → seqs, as the batch handler got them
	ids := map[string]int{}   // event id → times the batch handler got it
	var batches, seen atomic.Int64
	f.run(t, ConsumerConfig{Batch: 100,
		Handler: func(context.Context, *sqlx.Tx, Event) error {
			t.Errorf("the per-event handler was called though the batch handler succeeds")
			return nil
		},
		BatchHandler: func(ctx context.Context, tx *sqlx.Tx, batch []Event) error {
			batches.Add(1)
			mu.Lock()
			defer mu.Unlock()
			for _, ev := range batch {
				if ev.TenantID != batch[0].TenantID {
					t.Errorf("a batch of %s holds an event of %s", batch[0].TenantID, ev.TenantID)
				}
				ids[ev.ID]++
				got[ev.TenantID+"/"+ev.Subject] = append(got[ev.TenantID+"/"+ev.Subject], seqOf(t, ev))
				if _, err := tx.ExecContext(ctx, `INSERT INTO effects (tenant_id, event_id) VALUES ($1, $2)`, ev.TenantID, ev.ID); err != nil {
					return err
				}
			}
			return nil
		}}, func(c *Consumer) {
		c.afterApply = func(Event) error { seen.Add(1); return nil }
	})
	testkit.Eventually(t, 45*time.Second, "the first records consumed", func() (bool, string) {
		return seen.Load() == 23, fmt.Sprintf("%d of 23", seen.Load())
	})
	// Across batches: applied events again, with the rest.
	f.publishAll(t, append([]Event{evs[0], evs[19]}, evs[20:]...)...)
	f.waitCounts(t, map[string]int{tenants[0]: 20, tenants[1]: 20}, "every event applied")
	testkit.Eventually(t, 45*time.Second, "every record consumed", func() (bool, string) {
		return seen.Load() == 45, fmt.Sprintf("%d of 45", seen.Load())
	})
	mu.Lock()
	defer mu.Unlock()
	if len(ids) != len(evs) {
		t.Errorf("distinct events the batch handler got: %d, want %d", len(ids), len(evs))
	}
	for id, n := range ids {
		if n != 1 || id == old.ID {
			t.Errorf("event %s given to the batch handler %d times (the inbox's old one: %v), want once and never the old one", id, n, id == old.ID)
		}
	}
	for key, seqs := range got {
		if !slices.IsSorted(seqs) {
			t.Errorf("%s given in the order %v, want the published one", key, seqs)
		}
	}
	if n := batches.Load(); n >= int64(len(evs)) {
		t.Errorf("batch handler calls: %d for %d events, want fewer (groups)", n, len(evs))
	}
}

func TestBatchHandlerFailureFallsBackToHandlerAndDeadLettersThePoison(t *testing.T) {
	f := newConsumerFixture(t)
	other := uuid.NewString()
	var evs []Event
	for i := range 5 {
		evs = append(evs, f.event(t, f.tenant, "a", thingCreated, i))
	}
	poison := f.event(t, f.tenant, "a", "dev.rapport.test.poison.created.v1", 5)
	evs = append(evs, poison)
	for i := 6; i < 11; i++ {
		evs = append(evs, f.event(t, f.tenant, "a", thingCreated, i), f.event(t, other, "b", thingCreated, i))
	}
	f.publishAll(t, evs...)

	var calls, poisonCalls, otherCalls atomic.Int64
	record := f.recordEffect(&calls)
	insert := func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO effects (tenant_id, event_id) VALUES ($1, $2)`, ev.TenantID, ev.ID)
		return err
	}
	f.run(t, ConsumerConfig{Batch: 100, MaxAttempts: 3, Backoff: 10 * time.Millisecond,
		Handler: func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
			switch {
			case ev.ID == poison.ID:
				poisonCalls.Add(1)
				return errors.New("cannot handle poison")
			case ev.TenantID == other:
				otherCalls.Add(1)
			}
			return record(ctx, tx, ev)
		},
		BatchHandler: func(ctx context.Context, tx *sqlx.Tx, batch []Event) error {
			for _, ev := range batch {
				if ev.ID == poison.ID {
					return errors.New("cannot handle poison")
				}
				// Written before the failure: the rollback must undo it.
				if err := insert(ctx, tx, ev); err != nil {
					return err
				}
			}
			return nil
		}}, nil)

	f.waitCounts(t, map[string]int{f.tenant: 10, other: 5}, "every event but the poison applied")
	recs := testkit.ReadTopic(t, f.brokers, DLQ(f.topic), 1, 20*time.Second)
	if len(recs) != 1 {
		t.Fatalf("dead-lettered records: got %d, want 1 (the poison)", len(recs))
	}
	var id, attempts string
	for _, kv := range recs[0].Headers {
		switch kv.Key {
		case HeaderID:
			id = string(kv.Value)
		case HeaderAttempts:
			attempts = string(kv.Value)
		}
	}
	if id != poison.ID || attempts != "3" {
		t.Errorf("dead-lettered: event %s after %s attempts, want the poison %s after 3", id, attempts, poison.ID)
	}
	if got := poisonCalls.Load(); got != 3 {
		t.Errorf("per-event handler calls of the poison: got %d, want 3", got)
	}
	if got := otherCalls.Load(); got != 0 {
		t.Errorf("per-event handler calls of the other tenant: got %d, want 0 (its group's batch handler succeeded)", got)
	}
	if got := f.countOf(t, f.tenant, "inbox"); got != 10 {
		t.Errorf("inbox rows of the poisoned tenant: got %d, want 10", got)
	}
}
