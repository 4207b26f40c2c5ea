package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
)

// replayRun is the rebuild run (target 2) and its raw baseline.
type replayRun struct {
	Events     int           // the tenant's events on the topics
	LiveApply  time.Duration // the live consumers applying them first (set-up, untimed)
	Claim      time.Duration // POST → a job's claim (the job polls every second)
	Replay     time.Duration // claim → switch, as BenchmarkRebuild counts
	Total      time.Duration // POST → switch
	ServerTook time.Duration // the generation's switchedAt − startedAt, the service's clock
	Rebuilt    int64         // events counted in the new generation's rm_freshness
	Gen        int
	Raw        time.Duration // kafka-go readers over the same topics
	RawRecords int64
	LiveCPU    time.Duration // the service's CPU while its live consumers applied the events
	CPU        time.Duration // the service's CPU from POST to switch
}

// Rate is the replay's events a second, claim to switch.
func (r replayRun) Rate() float64 { return float64(r.Events) / r.Replay.Seconds() }

// RawRate is the raw readers' records a second.
func (r replayRun) RawRate() float64 { return float64(r.RawRecords) / r.Raw.Seconds() }

// rebuildStatus is what GET /admin/v1/rebuild answers, as far as the bench
// reads it.
type rebuildStatus struct {
	Generations []struct {
		Generation int        `json:"generation"`
		State      string     `json:"state"`
		StartedAt  *time.Time `json:"startedAt"`
		SwitchedAt *time.Time `json:"switchedAt"`
	} `json:"generations"`
	Running *struct {
		Runs    int   `json:"runs"`
		Applied int64 `json:"applied"`
	} `json:"running"`
}

// measureReplay publishes n events of tenant (the only ones on the
// topics), lets the live consumers apply them, reads the four topics raw
// with kafka-go, then rebuilds the tenant's read models through
// POST /admin/v1/rebuild and follows GET /admin/v1/rebuild to the switch.
func measureReplay(ctx context.Context, s *contactsStack, admin *sqlx.DB, tenant string, n int) (r replayRun, err error) {
	r.Events = n
	evs, err := reportingEvents(tenant, n)
	if err != nil {
		return r, err
	}
	pub := events.NewPublisher(s.brokers)
	defer pub.Close()
	cpu0, err := processCPU(ctx, s.base)
	if err != nil {
		return r, err
	}
	start := time.Now()
	for i := 0; i < n; i += 1000 {
		batch := evs[i:min(i+1000, n)]
		msgs := make([]kafka.Message, len(batch))
		for j, e := range batch {
			msgs[j] = e.msg
		}
		if err := pub.Publish(ctx, msgs...); err != nil {
			return r, err
		}
	}
	fmt.Fprintf(os.Stderr, "bench: reporting: %d events of the replay's tenant published; the live consumers apply them\n", n)
	var applied, last int64
	for progress := time.Now(); applied < int64(n); time.Sleep(500 * time.Millisecond) {
		if err := admin.GetContext(ctx, &applied, `SELECT coalesce(sum(events), 0) FROM rm_freshness WHERE tenant_id = $1 AND gen = 1`, tenant); err != nil {
			return r, err
		}
		if applied > last {
			last, progress = applied, time.Now()
		}
		if time.Since(progress) > freshStall {
			return r, fmt.Errorf("the live consumers applied %d of %d events, then nothing for %s", applied, n, freshStall)
		}
	}
	r.LiveApply = time.Since(start)
	cpu1, err := processCPU(ctx, s.base)
	if err != nil {
		return r, err
	}
	r.LiveCPU = cpu1 - cpu0
	fmt.Fprintf(os.Stderr, "bench: reporting: applied live in %s; raw read of the topics\n", r.LiveApply.Round(time.Millisecond))
	if r.Raw, r.RawRecords, err = rawReadTopics(ctx, s.brokers); err != nil {
		return r, fmt.Errorf("raw read: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: reporting: rebuild\n")
	client := &http.Client{Timeout: time.Minute}
	token := s.tokens(reportingAdmin(tenant))
	if cpu1, err = processCPU(ctx, s.base); err != nil {
		return r, err
	}
	posted := time.Now()
	if _, err := benchRequest(ctx, client, token, http.MethodPost, s.base+"/admin/v1/rebuild", ""); err != nil {
		return r, err
	}
	var claimed time.Time
	for {
		b, err := benchRequest(ctx, client, token, http.MethodGet, s.base+"/admin/v1/rebuild", "")
		if err != nil {
			return r, err
		}
		var st rebuildStatus
		if err := json.Unmarshal(b, &st); err != nil {
			return r, err
		}
		if claimed.IsZero() && st.Running != nil && st.Running.Runs > 0 {
			claimed = time.Now()
		}
		if st.Running == nil {
			switched := time.Now()
			if claimed.IsZero() {
				claimed = switched // claimed and done between two polls
			}
			r.Claim, r.Replay, r.Total = claimed.Sub(posted), switched.Sub(claimed), switched.Sub(posted)
			for _, g := range st.Generations {
				if g.State == "active" && g.StartedAt != nil && g.SwitchedAt != nil {
					r.Gen, r.ServerTook = g.Generation, g.SwitchedAt.Sub(*g.StartedAt)
				}
			}
			break
		}
		if time.Since(posted) > 10*time.Minute {
			return r, errors.New("the rebuild did not switch in 10 minutes")
		}
		time.Sleep(5 * time.Millisecond) //nolint:forbidigo // polling the rebuild's progress
	}
	cpu2, err := processCPU(ctx, s.base)
	if err != nil {
		return r, err
	}
	r.CPU = cpu2 - cpu1
	err = admin.GetContext(ctx, &r.Rebuilt, `SELECT coalesce(sum(events), 0) FROM rm_freshness WHERE tenant_id = $1 AND gen = $2`, tenant, r.Gen)
	return r, err
}

// rawReadTopics reads the four source topics as the replay does, side by
// side, each topic's partitions one after another from their first offset
// to their high watermark, with kafka-go readers (the replay's settings),
// fetching each record without parsing it.
func rawReadTopics(ctx context.Context, brokers []string) (time.Duration, int64, error) {
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	type part struct {
		topic       string
		id          int
		first, high int64
	}
	var parts [][]part
	for _, c := range reportingSources {
		topic := registry.MustTopic("", c)
		var reqs []kafka.OffsetRequest
		for p := range partitions {
			reqs = append(reqs, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
		}
		res, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
		if err != nil {
			return 0, 0, err
		}
		var ps []part
		for _, po := range res.Topics[topic] {
			if po.Error != nil {
				return 0, 0, po.Error
			}
			ps = append(ps, part{topic, po.Partition, po.FirstOffset, po.LastOffset})
		}
		parts = append(parts, ps)
	}
	var records atomic.Int64
	start := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	for _, ps := range parts {
		g.Go(func() error {
			for _, p := range ps {
				if p.high <= p.first {
					continue
				}
				rd := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: p.topic, Partition: p.id, MinBytes: 1,
					MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond})
				if err := rd.SetOffset(p.first); err != nil {
					rd.Close()
					return err
				}
				for at := p.first; at < p.high; {
					m, err := rd.FetchMessage(gctx)
					if err != nil {
						rd.Close()
						return err
					}
					records.Add(1)
					at = m.Offset + 1
				}
				rd.Close()
			}
			return nil
		})
	}
	err := g.Wait()
	return time.Since(start), records.Load(), err
}
