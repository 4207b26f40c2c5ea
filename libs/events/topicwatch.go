package events

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// topicWatch finds which of a consumer's topics exist.
//
// kafka-go's consumer group does not survive a missing topic: its leader
// reads the partitions of all the group's topics in one metadata request,
// and one unknown topic fails the whole read, so the group is assigned no
// partition of any topic — it consumes nothing, silently, and nothing makes
// it look again when the topic appears. So the consumer gives the group
// only the topics that exist, and joins again when another appears.
type topicWatch struct {
	cfg       ConsumerConfig
	transport *kafka.Transport
	client    *kafka.Client

	mu      sync.Mutex
	missing map[string]bool // as last reported, per topic
}

// newTopicWatch returns the watch of cfg's topics. Its metadata comes from
// a transport that refreshes it every cfg.TopicWait and never asks the
// brokers to create a topic.
func newTopicWatch(cfg ConsumerConfig) *topicWatch {
	transport := &kafka.Transport{MetadataTTL: cfg.TopicWait, MetadataTopics: cfg.Topics}
	return &topicWatch{cfg: cfg, transport: transport, client: &kafka.Client{Addr: kafka.TCP(cfg.Brokers...),
		Transport: transport, Timeout: 10 * time.Second}, missing: map[string]bool{}}
}

// close closes the watch's connections.
func (w *topicWatch) close() { w.transport.CloseIdleConnections() }

// exist returns those of the consumer's topics that exist, in their order,
// logging and reporting each one whose existence changed (or that is
// missing the first time it looks).
func (w *topicWatch) exist(ctx context.Context) ([]string, error) {
	res, err := w.client.Metadata(ctx, &kafka.MetadataRequest{Topics: w.cfg.Topics})
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	for _, t := range res.Topics {
		found[t.Name] = t.Error == nil && len(t.Partitions) > 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var present []string
	for _, topic := range w.cfg.Topics {
		missing := !found[topic]
		if !missing {
			present = append(present, topic)
		}
		was, seen := w.missing[topic]
		if seen && was == missing || !seen && !missing {
			w.missing[topic] = missing
			continue
		}
		w.missing[topic] = missing
		if missing {
			w.cfg.Logger.WarnContext(ctx, "topic does not exist yet: consuming the group's others, looking again",
				"topic", topic, "group", w.cfg.Group, "every", w.cfg.TopicWait.String())
		} else {
			w.cfg.Logger.InfoContext(ctx, "topic exists now: the group joins it", "topic", topic, "group", w.cfg.Group)
		}
	}
	if w.cfg.Metrics != nil {
		for _, topic := range w.cfg.Topics {
			w.cfg.Metrics.TopicMissing(topic, w.cfg.Group, !found[topic])
		}
	}
	return present, nil
}

// await returns the topics that exist once at least one does, looking
// every TopicWait. It fails only when ctx ends.
func (w *topicWatch) await(ctx context.Context) ([]string, error) {
	for {
		present, err := w.exist(ctx)
		if err != nil && ctx.Err() == nil {
			w.cfg.Logger.WarnContext(ctx, "cannot read the topics' metadata; trying again", "group", w.cfg.Group,
				"error", err.Error())
		}
		if err == nil && len(present) > 0 {
			return present, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(w.cfg.TopicWait):
		}
	}
}

// watch looks every TopicWait for a topic that exists and is not in
// present; when one does, it calls grown and returns. It returns when ctx
// ends.
func (w *topicWatch) watch(ctx context.Context, present []string, grown func()) {
	tick := time.NewTicker(w.cfg.TopicWait)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now, err := w.exist(ctx)
		if err != nil {
			continue
		}
		for _, topic := range now {
			if !slices.Contains(present, topic) {
				grown()
				return
			}
		}
	}
}
