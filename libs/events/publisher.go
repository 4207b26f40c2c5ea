package events

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// Publisher writes records to Kafka, waiting for acknowledgement from all
// in-sync replicas, keyed so one entity's events stay in one partition.
//
// A record's partition is murmur2 of its key, made positive with
// & 0x7fffffff, modulo the topic's partitions: the Java client's default
// partitioner and librdkafka's murmur2_random, so a producer in any
// language puts an entity's events (keyed by its id, the CloudEvent
// subject) where ours go. A record without a key goes to a random
// partition.
type Publisher struct {
	w *kafka.Writer
}

// NewPublisher returns a publisher for brokers. Records go to the topic each
// message names.
//
// BatchSize bounds the records of one produce request to one partition, and
// kafka-go allocates room for that many in every partition's batch of every
// call: at 2,000, an outbox relay publishing a few events at a time
// allocated about 300 KB per partition per call, and its garbage collection
// took a tenth of the contacts service's CPU under load.
func NewPublisher(brokers []string) *Publisher {
	return &Publisher{w: &kafka.Writer{
		Addr:         kafka.TCP(brokers...),
		Balancer:     kafka.Murmur2Balancer{},
		RequiredAcks: kafka.RequireAll,
		BatchSize:    256,
		BatchBytes:   16 << 20,
		BatchTimeout: time.Millisecond,
		MaxAttempts:  3,
		WriteTimeout: 10 * time.Second,
		ReadTimeout:  10 * time.Second,
	}}
}

// Publish writes msgs and returns once every one is acknowledged.
func (p *Publisher) Publish(ctx context.Context, msgs ...kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := p.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("events: publish %d records: %w", len(msgs), err)
	}
	return nil
}

// Close flushes and closes the underlying writer.
func (p *Publisher) Close() error { return p.w.Close() }
