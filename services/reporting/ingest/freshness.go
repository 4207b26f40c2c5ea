package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/reporting/internal/rm"
)

// ContextFreshness is how fresh the read models of one source context
// are: the time of the newest event applied to the active generation
// (null when none was), how many were applied, and the lag of the live
// consumer of its topic (every tenant's events not yet consumed; null
// when Kafka did not answer).
type ContextFreshness struct {
	Context string     `json:"context"`
	AsOf    *time.Time `json:"asOf"`
	Events  int64      `json:"events"`
	Lag     *int64     `json:"lag"`
}

// Freshness is the freshness of the active generation, per source context.
type Freshness struct {
	Generation int                `json:"generation"`
	Contexts   []ContextFreshness `json:"contexts"`
}

// FreshnessService answers how fresh the caller's tenant's read models
// are.
type FreshnessService struct {
	db          *sqlx.DB
	brokers     []string
	topicPrefix string
	logger      *slog.Logger
}

// NewFreshnessService returns the service reading db's freshness and the
// live consumers' offsets on brokers.
func NewFreshnessService(db *sqlx.DB, brokers []string, topicPrefix string, logger *slog.Logger) *FreshnessService {
	return &FreshnessService{db: db, brokers: brokers, topicPrefix: topicPrefix, logger: logger}
}

// Freshness returns the freshness of the caller's tenant's active
// generation and the live consumers' lag.
func (s *FreshnessService) Freshness(ctx context.Context) (Freshness, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return Freshness{}, err
	}
	out := Freshness{Contexts: make([]ContextFreshness, len(rm.Contexts))}
	err = pg.WithTenantTx(ctx, s.db, p.TenantID, func(tx *sqlx.Tx) error {
		gen, err := rm.Active(ctx, tx)
		if err != nil {
			return err
		}
		out.Generation = int(gen)
		var counts []struct {
			Context string `db:"context"`
			Events  int64  `db:"events"`
		}
		if err := tx.SelectContext(ctx, &counts, `SELECT context, events FROM rm_freshness WHERE gen = $1`, gen); err != nil {
			return fmt.Errorf("freshness: events: %w", err)
		}
		for i, c := range rm.Contexts {
			at, err := rm.AsOf(ctx, tx, gen, c)
			if err != nil {
				return err
			}
			out.Contexts[i] = ContextFreshness{Context: c}
			if !at.IsZero() {
				at = at.UTC()
				out.Contexts[i].AsOf = &at
			}
			for _, n := range counts {
				if n.Context == c {
					out.Contexts[i].Events = n.Events
				}
			}
		}
		return nil
	})
	if err != nil {
		return Freshness{}, err
	}
	if len(s.brokers) == 0 {
		return out, nil
	}
	client := &kafka.Client{Addr: kafka.TCP(s.brokers...), Timeout: 5 * time.Second}
	for i, c := range rm.Contexts {
		lag, err := groupLag(ctx, client, registry.MustTopic(s.topicPrefix, c), Group(c))
		if err != nil {
			s.logger.WarnContext(ctx, "freshness: a live consumer's lag unknown", "context", c, "error", err.Error())
			continue
		}
		out.Contexts[i].Lag = &lag
	}
	return out, nil
}

// groupLag returns the lag of group on topic: the sum over its partitions
// of the high watermark less the offset the group committed (its first
// offset when it committed none).
func groupLag(ctx context.Context, client *kafka.Client, topic, group string) (int64, error) {
	parts, err := watermarks(ctx, client, topic)
	if err != nil || len(parts) == 0 {
		return 0, err
	}
	ids := make([]int, len(parts))
	for i, p := range parts {
		ids[i] = p.Partition
	}
	res, err := client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: ids}})
	if err != nil {
		return 0, fmt.Errorf("freshness: %s's offsets of %s: %w", group, topic, err)
	}
	if res.Error != nil {
		return 0, fmt.Errorf("freshness: %s's offsets of %s: %w", group, topic, res.Error)
	}
	committed := map[int]int64{}
	for _, p := range res.Topics[topic] {
		if p.Error != nil {
			return 0, fmt.Errorf("freshness: %s's offset of %s/%d: %w", group, topic, p.Partition, p.Error)
		}
		committed[p.Partition] = p.CommittedOffset
	}
	var lag int64
	for _, p := range parts {
		at, ok := committed[p.Partition]
		if !ok || at < p.First {
			at = p.First
		}
		lag += max(0, p.High-at)
	}
	return lag, nil
}
