package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"
	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// soloAttempts is how often an event of a failed batch is tried alone
// before the replay skips it (the live consumer dead-letters it), and
// replayWorkers how many transactions apply one topic's batches side by
// side (writes are order-free, so batches of one partition may commit in
// any order).
const (
	soloAttempts  = 3
	replayWorkers = 3
)

// partitionRange is a partition's offsets to replay: from its first offset
// up to its high watermark when the run started (exclusive).
type partitionRange struct {
	Partition   int
	First, High int64
}

// replay applies tenant's events of the four source topics to gen: every
// partition from its first offset up to the high watermark it had when
// the replay started, the topics side by side, each topic's partitions
// read one after another and their batches of batchSize events applied
// by replayWorkers transactions at a time.
func (r *Rebuilder) replay(ctx context.Context, tenant string, gen rm.Gen, prog *progress) error {
	client := &kafka.Client{Addr: kafka.TCP(r.brokers...), Timeout: 10 * time.Second}
	ranges := make([][]partitionRange, len(rm.Contexts))
	topics := make([]TopicProgress, len(rm.Contexts))
	for i, c := range rm.Contexts {
		topic := registry.MustTopic(r.topicPrefix, c)
		parts, err := watermarks(ctx, client, topic)
		if err != nil {
			return err
		}
		ranges[i], topics[i] = parts, TopicProgress{Context: c, Topic: topic}
		for _, p := range parts {
			topics[i].Position += p.First
			topics[i].Target += p.High
		}
	}
	prog.start(topics)
	if err := r.record(ctx, tenant, gen, prog); err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	for i := range rm.Contexts {
		batches := make(chan batch)
		g.Go(func() error {
			defer close(batches)
			for _, p := range ranges[i] {
				if err := r.readPartition(ctx, tenant, topics[i].Topic, p, batches); err != nil {
					return err
				}
			}
			return nil
		})
		for range replayWorkers {
			g.Go(func() error {
				for b := range batches {
					n, err := r.applyBatch(ctx, tenant, gen, b.events)
					if err != nil {
						return err
					}
					prog.advance(i, b.moved, n)
				}
				return nil
			})
		}
	}
	return g.Wait()
}

// batch is a batch of a tenant's events of one partition, and how many
// offsets reading it moved the partition by.
type batch struct {
	events []events.Event
	moved  int64
}

// readPartition reads p of topic from its first offset to its high
// watermark and sends tenant's events to out in batches of batchSize.
func (r *Rebuilder) readPartition(ctx context.Context, tenant, topic string, p partitionRange, out chan<- batch) error {
	if p.High <= p.First {
		return nil
	}
	reader := kafka.NewReader(kafka.ReaderConfig{Brokers: r.brokers, Topic: topic, Partition: p.Partition, MinBytes: 1,
		MaxBytes: 10 << 20, MaxWait: 100 * time.Millisecond})
	defer reader.Close()
	if err := reader.SetOffset(p.First); err != nil {
		return fmt.Errorf("rebuild: read %s/%d: %w", topic, p.Partition, err)
	}
	cur := batch{events: make([]events.Event, 0, batchSize)}
	at := p.First // the next offset to read
	for at < p.High {
		m, err := reader.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("rebuild: read %s/%d: %w", topic, p.Partition, err)
		}
		if ev, ok := r.tenantEvent(ctx, m, tenant); ok && m.Offset < p.High {
			cur.events = append(cur.events, ev)
		}
		next := min(m.Offset+1, p.High)
		cur.moved += next - at
		at = next
		if len(cur.events) == batchSize || at >= p.High {
			select {
			case out <- cur:
			case <-ctx.Done():
				return ctx.Err()
			}
			cur = batch{events: make([]events.Event, 0, batchSize)}
		}
	}
	return nil
}

// tenantEvent returns m's event if it is one of tenant's: the tenant
// header is compared before the record is parsed; a record that is no
// event is logged and skipped (the live consumer dead-letters it).
func (r *Rebuilder) tenantEvent(ctx context.Context, m kafka.Message, tenant string) (events.Event, bool) {
	for _, h := range m.Headers {
		if h.Key == events.HeaderTenantID && string(h.Value) != tenant {
			return events.Event{}, false
		}
	}
	ev, err := events.Parse(m)
	if err != nil || ev.TenantID != tenant {
		if err != nil {
			r.logger.WarnContext(ctx, "rebuild: a record that is no event skipped", "topic", m.Topic, "partition", m.Partition,
				"offset", m.Offset, "error", err.Error())
		}
		return events.Event{}, false
	}
	return ev, true
}

// applyBatch applies batch to gen in one transaction and returns how many
// events were applied. When the transaction fails, each event is applied
// alone; one that still fails is logged and skipped.
func (r *Rebuilder) applyBatch(ctx context.Context, tenant string, gen rm.Gen, batch []events.Event) (int64, error) {
	if len(batch) == 0 {
		return 0, nil
	}
	err := r.applyTx(ctx, tenant, gen, batch)
	if err == nil || ctx.Err() != nil {
		return int64(len(batch)), err
	}
	var applied int64
	for _, ev := range batch {
		for attempt := 1; ; attempt++ {
			err := r.applyTx(ctx, tenant, gen, []events.Event{ev})
			if err == nil {
				applied++
				break
			}
			if ctx.Err() != nil {
				return applied, ctx.Err()
			}
			if attempt == soloAttempts {
				r.logger.WarnContext(ctx, "rebuild: an event that fails skipped", "tenant", tenant, "generation", gen,
					"event_id", ev.ID, "type", ev.Type, "error", err.Error())
				break
			}
		}
	}
	return applied, nil
}

// applyTx applies evs to gen in one transaction of tenant, as the live
// consumers' batches are (Applier.applyAll: one freshness write per
// context for the whole batch, which keeps the freshness row locked only
// at the end). A crash
// loses nothing the replay needs (it starts again from scratch), so the
// commit does not wait for the WAL's flush.
func (r *Rebuilder) applyTx(ctx context.Context, tenant string, gen rm.Gen, evs []events.Event) error {
	return pg.WithTenantTx(ctx, r.db, tenant, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		return r.applier.applyAll(ctx, tx, gen, evs)
	})
}

// watermarks returns the partitions of topic with their first offsets and
// high watermarks; none when the topic does not exist (yet).
func watermarks(ctx context.Context, client *kafka.Client, topic string) ([]partitionRange, error) {
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("rebuild: read %s's partitions: %w", topic, err)
	}
	var reqs []kafka.OffsetRequest
	for _, t := range meta.Topics {
		if errors.Is(t.Error, kafka.UnknownTopicOrPartition) {
			return nil, nil
		}
		if t.Error != nil {
			return nil, fmt.Errorf("rebuild: read %s's partitions: %w", topic, t.Error)
		}
		for _, p := range t.Partitions {
			reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
		}
	}
	if len(reqs) == 0 {
		return nil, nil
	}
	res, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("rebuild: read %s's offsets: %w", topic, err)
	}
	var out []partitionRange
	for _, p := range res.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("rebuild: read %s/%d's offsets: %w", topic, p.Partition, p.Error)
		}
		out = append(out, partitionRange{Partition: p.Partition, First: p.FirstOffset, High: p.LastOffset})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out, nil
}
