package audience

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
)

// Bounds of a rebuild: how long it may run (a run older than that, its
// instance gone, counts as failed), and how often it records its progress.
const (
	rebuildTimeout  = time.Hour
	rebuildProgress = 500
)

// The statuses of a rebuild.
const (
	RebuildRunning   = "running"
	RebuildCompleted = "completed"
	RebuildFailed    = "failed"
)

// Rebuild is a rebuild of the tenant's audience from the beginning of
// contacts' topic, and where it is.
type Rebuild struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	Applied     int64      `json:"applied"`
	Error       string     `json:"error,omitempty"`
	RequestedBy string     `json:"requestedBy"`
	StartedAt   time.Time  `json:"startedAt"`
	FinishedAt  *time.Time `json:"finishedAt,omitempty"`
}

// Rebuilder rebuilds a tenant's audience: it reads contacts' topic from
// its first offset up to the end it has when the rebuild starts, applies
// the tenant's events as the Projection does (rewriting a row at the
// event's version, so a damaged or lost row is put right; tombstones
// still hold), and records its progress.
type Rebuilder struct {
	db         *outbox.DB
	projection *Projection
	brokers    []string // the service's brokers (KAFKA_BROKERS)
	topic      string   // contacts' topic, with the service's prefix
	logger     *slog.Logger
	now        func() time.Time
}

// NewRebuilder returns the Rebuilder applying events with projection.
func NewRebuilder(db *outbox.DB, projection *Projection, brokers []string, topicPrefix string, logger *slog.Logger) *Rebuilder {
	return &Rebuilder{db: db, projection: projection, brokers: brokers, topic: events.Topic(topicPrefix, registry.Contacts), logger: logger, now: time.Now}
}

// Start starts a rebuild of the caller's tenant's audience in the
// background, or returns the one running.
func (r *Rebuilder) Start(ctx context.Context) (out Rebuild, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return out, err
	}
	brokers := r.brokers
	if len(brokers) == 0 {
		return out, ErrRebuildUnavailable
	}
	now := pg.Timestamp(r.now()).UTC()
	started := false
	err = r.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if err := failStale(ctx, tx, now.Add(-rebuildTimeout)); err != nil {
			return err
		}
		cur, err := latestRebuild(ctx, tx)
		if err == nil && cur.Status == RebuildRunning {
			out = cur
			return nil
		}
		if err != nil && !errors.Is(err, ErrRebuildNotFound) {
			return err
		}
		out, started = Rebuild{ID: ids.New(), Status: RebuildRunning, RequestedBy: p.UserID, StartedAt: now}, true
		return insertRebuild(ctx, tx, out)
	})
	if err != nil || !started {
		return out, err
	}
	run, cancel := context.WithTimeout(context.WithoutCancel(ctx), rebuildTimeout)
	go func() {
		defer cancel()
		r.run(run, p.TenantID, out.ID, brokers)
	}()
	return out, nil
}

// Status returns the caller's tenant's latest rebuild.
func (r *Rebuilder) Status(ctx context.Context) (out Rebuild, err error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return out, err
	}
	err = r.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = latestRebuild(ctx, tx)
		return err
	})
	return out, err
}

// run does the rebuild id of tenant and records how it ended.
func (r *Rebuilder) run(ctx context.Context, tenant, id string, brokers []string) {
	applied, err := r.replay(ctx, tenant, id, brokers)
	status, msg := RebuildCompleted, ""
	if err != nil {
		status, msg = RebuildFailed, err.Error()
		r.logger.ErrorContext(ctx, "audience rebuild failed", "tenant", tenant, "rebuild", id, "error", msg)
	} else {
		r.logger.InfoContext(ctx, "audience rebuilt", "tenant", tenant, "rebuild", id, "applied", applied)
	}
	end := context.WithoutCancel(ctx)
	if err := r.db.InTx(end, tenant, func(tx *outbox.Tx) error {
		return finishRebuild(end, tx, id, status, msg, applied, r.now().UTC())
	}); err != nil {
		r.logger.ErrorContext(end, "audience rebuild's end not recorded", "tenant", tenant, "rebuild", id, "error", err.Error())
	}
}

// replay applies the tenant's events of contacts' topic, every partition
// from its first offset to the end it has now, and returns how many.
func (r *Rebuilder) replay(ctx context.Context, tenant, id string, brokers []string) (int64, error) {
	topic := r.topic
	ends, err := endOffsets(ctx, brokers, topic)
	if err != nil {
		return 0, err
	}
	var applied int64
	for partition, end := range ends {
		if err := r.partition(ctx, brokers, topic, partition, end, func(ev events.Event) error {
			if ev.TenantID != tenant {
				return nil
			}
			if err := r.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return r.projection.apply(ctx, tx, ev, true) }); err != nil {
				if errors.Is(err, errMalformed) {
					r.logger.WarnContext(ctx, "audience rebuild: a malformed event skipped", "event_id", ev.ID, "error", err.Error())
					return nil
				}
				return err
			}
			applied++
			if applied%rebuildProgress == 0 {
				return r.db.InTx(ctx, tenant, func(tx *outbox.Tx) error { return progressRebuild(ctx, tx, id, applied) })
			}
			return nil
		}); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// partition reads the partition of topic from its first offset up to end
// (exclusive), passing each event to apply; a record that is no event is
// skipped.
func (r *Rebuilder) partition(ctx context.Context, brokers []string, topic string, partition int, end int64, apply func(events.Event) error) error {
	reader := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: partition, MinBytes: 1, MaxBytes: 10 << 20,
		MaxWait: 100 * time.Millisecond})
	defer reader.Close()
	if err := reader.SetOffset(kafka.FirstOffset); err != nil {
		return fmt.Errorf("rebuild: read %s/%d: %w", topic, partition, err)
	}
	for {
		m, err := reader.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("rebuild: read %s/%d: %w", topic, partition, err)
		}
		if m.Offset >= end {
			return nil
		}
		if ev, err := events.Parse(m); err == nil {
			if err := apply(ev); err != nil {
				return err
			}
		}
		if m.Offset == end-1 {
			return nil
		}
	}
}

// endOffsets returns the end offset (the next to be written) of each
// partition of topic that holds records.
func endOffsets(ctx context.Context, brokers []string, topic string) (map[int]int64, error) {
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("rebuild: read %s's partitions: %w", topic, err)
	}
	var reqs []kafka.OffsetRequest
	for _, t := range meta.Topics {
		if t.Error != nil {
			return nil, fmt.Errorf("rebuild: read %s's partitions: %w", topic, t.Error)
		}
		for _, p := range t.Partitions {
			reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
		}
	}
	res, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("rebuild: read %s's offsets: %w", topic, err)
	}
	out := map[int]int64{}
	for _, p := range res.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("rebuild: read %s/%d's offsets: %w", topic, p.Partition, p.Error)
		}
		if p.LastOffset > p.FirstOffset {
			out[p.Partition] = p.LastOffset
		}
	}
	return out, nil
}
