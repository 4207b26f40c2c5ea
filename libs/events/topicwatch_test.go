package events

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// kafkaWithout is an in-process Kafka that, like a production cluster,
// creates no topic on a metadata request, holding only seeded (with their
// dead-letter topics).
func kafkaWithout(t *testing.T, seeded ...string) []string {
	t.Helper()
	var all []string
	for _, topic := range seeded {
		all = append(all, topic, DLQ(topic))
	}
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.DefaultNumPartitions(3)}
	if len(all) > 0 {
		opts = append(opts, kfake.SeedTopics(3, all...))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()
}

// createTopic creates topic and its dead-letter topic.
func createTopic(t *testing.T, brokers []string, topic string) {
	t.Helper()
	cl := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	res, err := cl.CreateTopics(context.Background(), &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
		{Topic: topic, NumPartitions: 3, ReplicationFactor: 1}, {Topic: DLQ(topic), NumPartitions: 3, ReplicationFactor: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range res.Errors {
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
}

// waitMissing waits until the consumer has reported topic as missing or
// not.
func waitMissing(t *testing.T, m *lagRecorder, topic string, want bool) {
	t.Helper()
	testkit.Eventually(t, 30*time.Second, fmt.Sprintf("%s reported missing=%v", topic, want), func() (bool, string) {
		m.mu.Lock()
		defer m.mu.Unlock()
		got, ok := m.missing[topic]
		return ok && got == want, fmt.Sprintf("reported %v", m.missing)
	})
}

// A topic of the group that does not exist yet must neither stop the
// consumer nor keep it from the group's other topics, and the consumer
// reads it once it exists.
func TestConsumerReadsTheTopicsThatExistAndJoinsOneCreatedLater(t *testing.T) {
	present, later := Topic("", "present"), Topic("", "later")
	brokers := kafkaWithout(t, present)
	f := newConsumerFixtureOn(t, brokers, present)
	metrics := &lagRecorder{dlq: map[string]int{}}
	var calls atomic.Int64
	stop := f.run(t, ConsumerConfig{Topics: []string{present, later}, TopicWait: 100 * time.Millisecond, Metrics: metrics,
		Handler: f.recordEffect(&calls)}, nil)

	f.publish(t, "dev.rapport.test.thing.created.v1")
	f.waitEffects(t, 1, "the event of the topic that exists applied while the other is missing")
	waitMissing(t, metrics, later, true)

	createTopic(t, brokers, later)
	waitMissing(t, metrics, later, false)
	onLater := f
	onLater.topic = later
	onLater.publish(t, "dev.rapport.test.thing.created.v1")
	f.publish(t, "dev.rapport.test.thing.created.v1")
	f.waitEffects(t, 3, "the events of both topics applied once the missing one exists")
	if err := stop(); err != nil {
		t.Errorf("Run: got %v, want a clean stop", err)
	}
	if got := calls.Load(); got != 3 {
		t.Errorf("handler calls: got %d, want 3 (nothing applied twice across the group's new join)", got)
	}
}

// A consumer none of whose topics exist waits for one.
func TestConsumerWaitsForItsTopics(t *testing.T) {
	later := Topic("", "later")
	brokers := kafkaWithout(t)
	f := newConsumerFixtureOn(t, brokers, later)
	metrics := &lagRecorder{dlq: map[string]int{}}
	var calls atomic.Int64
	stop := f.run(t, ConsumerConfig{TopicWait: 100 * time.Millisecond, Metrics: metrics, Handler: f.recordEffect(&calls)}, nil)
	waitMissing(t, metrics, later, true)

	createTopic(t, brokers, later)
	f.publish(t, "dev.rapport.test.thing.created.v1")
	f.waitEffects(t, 1, "the event applied once the topic exists")
	if err := stop(); err != nil {
		t.Errorf("Run: got %v, want a clean stop", err)
	}
}
