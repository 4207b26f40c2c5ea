package testkit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Kafka starts an in-process Kafka cluster (kfake, speaking the real
// protocol) with automatic topic creation, stops it when the test ends, and
// returns its broker addresses.
func Kafka(t testing.TB, opts ...kfake.Opt) []string {
	t.Helper()
	return KafkaCluster(t, opts...).ListenAddrs()
}

// KafkaCluster is Kafka returning the cluster itself, for tests that stop and
// restart the broker.
func KafkaCluster(t testing.TB, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := NewKafka(opts...)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	t.Cleanup(c.Close)
	rememberKafka(t, c) // for KafkaAt
	return c
}

// NewKafka is KafkaCluster for what outlives one test, such as the
// environment a TestMain shares between tests: the caller must Close it.
func NewKafka(opts ...kfake.Opt) (*kfake.Cluster, error) {
	all := append([]kfake.Opt{kfake.NumBrokers(1), kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3)}, opts...)
	c, err := kfake.NewCluster(all...)
	if err != nil {
		return nil, fmt.Errorf("start kfake: %w", err)
	}
	return c, nil
}

// ReadTopic consumes topic from its start until want records arrived or
// timeout passed, and returns what it read (the caller checks the count).
func ReadTopic(t testing.TB, brokers []string, topic string, want int, timeout time.Duration) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatalf("testkit: kafka client: %v", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out []*kgo.Record
	for len(out) < want && ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) { out = append(out, r) })
	}
	return out
}
