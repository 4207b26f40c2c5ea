package events

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// BenchmarkConsumerBatch measures how many events a consumer applies per
// second, one event per transaction (Batch 1) against batches of 500, with
// a handler writing one row; the events belong to one tenant or are spread
// over ten. Each iteration publishes benchEvents new events (the timer
// stopped) and runs the group on from its committed offsets; the rate is
// timed from the first handler call to the last, leaving out the group's
// join. Run it with -benchtime=1x: an iteration is thousands of events.
func BenchmarkConsumerBatch(b *testing.B) {
	for _, c := range []struct{ batch, tenants int }{{1, 1}, {500, 1}, {500, 10}} {
		b.Run(fmt.Sprintf("batch=%d/tenants=%d", c.batch, c.tenants), func(b *testing.B) {
			benchConsumer(b, c.batch, c.tenants)
		})
	}
}

// benchEvents is how many events an iteration of BenchmarkConsumerBatch
// applies.
const benchEvents = 5000

func benchConsumer(b *testing.B, batch, tenantCount int) {
	f := newConsumerFixture(b)
	tenants := make([]string, tenantCount)
	for i := range tenants {
		tenants[i] = uuid.NewString()
	}
	var applied atomic.Int64
	var first, last atomic.Int64 // unix nanoseconds of the iteration's first and last handler call
	handler := func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
		now := time.Now().UnixNano()
		first.CompareAndSwap(0, now)
		last.Store(now)
		applied.Add(1)
		_, err := tx.ExecContext(ctx, `INSERT INTO effects (tenant_id, event_id) VALUES ($1, $2)`, ev.TenantID, ev.ID)
		return err
	}
	var elapsed time.Duration
	for i := range b.N {
		b.StopTimer()
		evs := make([]Event, benchEvents)
		for j := range evs {
			evs[j] = f.event(b, tenants[j%tenantCount], uuid.NewString(), thingCreated, j)
		}
		for j := 0; j < len(evs); j += 500 {
			f.publishAll(b, evs[j:min(j+500, len(evs))]...)
		}
		first.Store(0)
		b.StartTimer()
		stop := f.run(b, ConsumerConfig{Batch: batch, Handler: handler}, nil)
		want := int64((i + 1) * benchEvents)
		testkit.Eventually(b, 5*time.Minute, "every event applied", func() (bool, string) {
			return applied.Load() == want, fmt.Sprintf("%d of %d", applied.Load(), want)
		})
		b.StopTimer()
		if err := stop(); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Duration(last.Load() - first.Load())
	}
	b.ReportMetric(float64(b.N*benchEvents)/elapsed.Seconds(), "events/s")
}
