package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/libs/events"
)

// How the event → read model run samples: every freshSampleEvery-th event
// is followed by id in its table, the oldest freshPollBatch pending of each
// table every freshPoll; the run waits until every sample is seen, or
// nothing more was applied for freshStall.
const (
	freshSampleEvery = 10
	freshPoll        = 20 * time.Millisecond
	freshPollBatch   = 200
	freshStall       = 30 * time.Second
	rawInsertWorkers = 8
)

// freshRun is the event → read model run (target 1) and its raw baseline.
type freshRun struct {
	Events    int
	Published time.Duration
	Sampled   int
	Seen      int
	Lag       latency // publish → row visible, the samples'
	Applied   int64   // events counted in rm_freshness when the run ended
	ApplyRate float64 // applied events a second, publish start → last applied
	Raw       latency // raw INSERT: publish tick → commit, every event
	RawRate   float64 // raw INSERTs committed a second, start → last commit
	RawFailed int
}

// freshSample is a sampled event: its row, when its publish call began and
// when a poll first saw its row.
type freshSample struct {
	table, id  string
	sent, seen time.Time
}

// measureFreshness publishes rate events a second for d to the topics of
// contacts, sales and support (a batch every updateTick, events.NewPublisher)
// for tenant and follows a sample of them into the read models; the raw
// baseline, run first, INSERTs the same number of events one per statement
// at the same schedule into a plain table of the same database.
func measureFreshness(ctx context.Context, s *contactsStack, admin *sqlx.DB, tenant string, rate int, d time.Duration) (r freshRun, err error) {
	n := rate * int(d/time.Millisecond) / 1000
	evs, err := reportingEvents(tenant, n)
	if err != nil {
		return r, err
	}
	r.Events = n
	fmt.Fprintf(os.Stderr, "bench: reporting: raw baseline, %d INSERTs at %d/s\n", n, rate)
	if err := rawEventInserts(ctx, admin, evs, rate, &r); err != nil {
		return r, fmt.Errorf("raw inserts: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: reporting: %d events at %d/s to the service\n", n, rate)
	var mu sync.Mutex
	var samples []*freshSample
	pub := events.NewPublisher(s.brokers)
	defer pub.Close()
	perTick := max(1, rate*int(updateTick)/int(time.Second))
	pollCtx, stopPoll := context.WithCancel(ctx)
	defer stopPoll()
	polled := make(chan error, 1)
	start := time.Now()
	go func() { polled <- pollFreshness(pollCtx, admin, tenant, n, &mu, &samples, &r) }()
	for i := 0; i < n; i += perTick {
		time.Sleep(time.Until(start.Add(time.Duration(i/perTick) * updateTick)))
		batch := evs[i:min(i+perTick, n)]
		msgs := make([]kafka.Message, len(batch))
		for j, e := range batch {
			msgs[j] = e.msg
		}
		at := time.Now()
		if err := pub.Publish(ctx, msgs...); err != nil {
			return r, err
		}
		mu.Lock()
		for j, e := range batch {
			if (i+j)%freshSampleEvery == 0 {
				samples = append(samples, &freshSample{table: e.table, id: e.id, sent: at})
			}
		}
		mu.Unlock()
	}
	r.Published = time.Since(start)
	fmt.Fprintf(os.Stderr, "bench: reporting: %d events published in %s; following them into the read models\n", n, r.Published.Round(time.Millisecond))
	if err := <-polled; err != nil {
		return r, err
	}
	var lags []time.Duration
	for _, sm := range samples {
		if !sm.seen.IsZero() {
			lags = append(lags, sm.seen.Sub(sm.sent))
		}
	}
	r.Sampled, r.Seen = len(samples), len(lags)
	if len(lags) > 0 {
		r.Lag = distribution(lags)
	}
	return r, nil
}

// pollFreshness looks every freshPoll for the rows of the samples not yet
// seen (the oldest freshPollBatch of each table) and reads how many events
// were applied, until every one of n events is applied and every sample
// seen, or nothing moved for freshStall. A sample's seen time is the start
// of the query that first found its row: it became visible between the
// poll before and then.
func pollFreshness(ctx context.Context, admin *sqlx.DB, tenant string, n int, mu *sync.Mutex, samples *[]*freshSample, r *freshRun) error {
	var start, lastApplied = time.Now(), time.Time{}
	progress := time.Now()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(freshPoll):
		}
		pending := map[string][]*freshSample{}
		mu.Lock()
		published := len(*samples)
		for _, sm := range *samples {
			if sm.seen.IsZero() && len(pending[sm.table]) < freshPollBatch {
				pending[sm.table] = append(pending[sm.table], sm)
			}
		}
		mu.Unlock()
		for table, list := range pending {
			ids := make(pq.StringArray, len(list))
			byID := map[string]*freshSample{}
			for i, sm := range list {
				ids[i], byID[sm.id] = sm.id, sm
			}
			at := time.Now()
			var found []string
			if err := admin.SelectContext(ctx, &found, `SELECT id::text FROM `+table+` WHERE tenant_id = $1 AND gen = 1 AND id = ANY($2::uuid[])`, tenant, ids); err != nil {
				return err
			}
			for _, id := range found {
				byID[id].seen = at
				progress = time.Now()
			}
		}
		var applied int64
		if err := admin.GetContext(ctx, &applied, `SELECT coalesce(sum(events), 0) FROM rm_freshness WHERE tenant_id = $1 AND gen = 1`, tenant); err != nil {
			return err
		}
		if applied > r.Applied {
			r.Applied, lastApplied, progress = applied, time.Now(), time.Now()
		}
		if r.Applied > 0 {
			r.ApplyRate = float64(r.Applied) / lastApplied.Sub(start).Seconds()
		}
		if published*freshSampleEvery >= n && r.Applied >= int64(n) && len(pending) == 0 {
			return nil
		}
		if time.Since(progress) > freshStall {
			fmt.Fprintf(os.Stderr, "bench: reporting: nothing applied for %s; %d of %d applied\n", freshStall, r.Applied, n)
			return nil
		}
	}
}

// rawEventInserts INSERTs each event, one statement each (autocommit), by
// rawInsertWorkers connections, into a plain table (uuid key, tenant, type,
// JSON payload) at rate a second in batches every updateTick; an event's
// latency is from its batch's tick to its commit.
func rawEventInserts(ctx context.Context, admin *sqlx.DB, evs []reportingEvent, rate int, r *freshRun) error {
	if _, err := admin.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS bench_raw_events (id uuid PRIMARY KEY, tenant_id uuid NOT NULL,
		type text NOT NULL, payload jsonb NOT NULL)`); err != nil {
		return err
	}
	type job struct {
		ev   reportingEvent
		tick time.Time
	}
	jobs := make(chan job, len(evs))
	lags := make([]time.Duration, 0, len(evs))
	var mu sync.Mutex
	var last time.Time
	g, gctx := errgroup.WithContext(ctx)
	for range rawInsertWorkers {
		g.Go(func() error {
			for j := range jobs {
				_, err := admin.ExecContext(gctx, `INSERT INTO bench_raw_events (id, tenant_id, type, payload) VALUES ($1, $2, $3, $4)`,
					uuid.NewString(), headerOf(j.ev.msg, events.HeaderTenantID), headerOf(j.ev.msg, events.HeaderType), j.ev.msg.Value)
				now := time.Now()
				mu.Lock()
				if err != nil {
					r.RawFailed++
				} else {
					lags = append(lags, now.Sub(j.tick))
					last = now
				}
				mu.Unlock()
			}
			return nil
		})
	}
	perTick := max(1, rate*int(updateTick)/int(time.Second))
	start := time.Now()
	for i := 0; i < len(evs); i += perTick {
		time.Sleep(time.Until(start.Add(time.Duration(i/perTick) * updateTick)))
		at := time.Now()
		for _, e := range evs[i:min(i+perTick, len(evs))] {
			jobs <- job{e, at}
		}
	}
	close(jobs)
	if err := g.Wait(); err != nil {
		return err
	}
	if len(lags) == 0 {
		return fmt.Errorf("no raw INSERT succeeded")
	}
	r.Raw, r.RawRate = distribution(lags), float64(len(lags))/last.Sub(start).Seconds()
	return nil
}

// headerOf returns the value of m's header key, "" without one.
func headerOf(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}
