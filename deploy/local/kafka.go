package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/rapport-crm/rapport/libs/events"
)

// topicPartitions is the partition count of every topic the launcher creates.
const topicPartitions = 3

// topics returns the shared tier's topic of each service that publishes
// events (Service.Topic: built services of the registry with a context, not
// the planned ones), each followed by its dead-letter topic.
func topics(services []Service) []string {
	var ts []string
	for _, s := range services {
		if s.Topic != "" && s.Replica <= 1 {
			ts = append(ts, s.Topic, events.DLQ(s.Topic))
		}
	}
	return ts
}

// kafka is the event bus the services use.
type kafka struct {
	Brokers []string
	Topics  []string // the topics the launcher seeded or made sure of

	mu   sync.Mutex
	fake *kfake.Cluster // nil when KAFKA_BROKERS was given
	opts []kfake.Opt    // how fake was made, to reopen it
}

// startKafka runs the in-process Kafka, or, when cfg.KafkaBrokers is set,
// checks that cluster answers; either way it creates any of topics missing.
//
// The in-process Kafka keeps its topics, events and consumer offsets under
// cfg.StateDir (kafkaDir), beside the throwaway PostgreSQL, so a second
// `make run` finds the events of the databases it finds.
func startKafka(ctx context.Context, cfg Config, topics []string) (*kafka, error) {
	if len(cfg.KafkaBrokers) > 0 {
		if err := ensureTopics(ctx, cfg.KafkaBrokers, topics); err != nil {
			return nil, fmt.Errorf("Kafka at %v (KAFKA_BROKERS): %w", cfg.KafkaBrokers, err)
		}
		return &kafka{Brokers: cfg.KafkaBrokers, Topics: topics}, nil
	}
	dir := kafkaDir(cfg)
	ports := kafkaPorts(cfg)
	opts := []kfake.Opt{
		kfake.NumBrokers(len(ports)),
		kfake.Ports(ports...),
		kfake.DataDir(dir),
		kfake.DefaultNumPartitions(topicPartitions),
		kfake.AllowAutoTopicCreation(),
		kfake.SeedTopics(topicPartitions, topics...),
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("in-process Kafka on 127.0.0.1:%v (RAPPORT_LOCAL_KAFKA_PORT) with its data in %s (remove it to start with no events): %w",
			ports, dir, err)
	}
	k := &kafka{Topics: topics, fake: c, opts: opts}
	for _, p := range ports {
		k.Brokers = append(k.Brokers, net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
	}
	// Data kept from an earlier run is loaded instead of the seed: the
	// topics of a service added since are made here.
	if err := ensureTopics(ctx, k.Brokers, topics); err != nil {
		c.Close()
		return nil, fmt.Errorf("in-process Kafka: %w", err)
	}
	return k, nil
}

// kafkaPorts are the in-process brokers' ports: RAPPORT_LOCAL_KAFKA_PORT,
// and the next one too when the services have replicas, so that a
// partition's leader can move (POST /kafka/move-leader).
func kafkaPorts(cfg Config) []int {
	if cfg.Replicas > 1 {
		return []int{cfg.LocalKafkaPort, cfg.LocalKafkaPort + 1}
	}
	return []int{cfg.LocalKafkaPort}
}

// kafkaDir is where the in-process Kafka keeps its data.
func kafkaDir(cfg Config) string { return filepath.Join(cfg.StateDir, "kafka") }

// ensureTopics creates topics on a real cluster, leaving those that exist
// alone.
func ensureTopics(ctx context.Context, brokers, topics []string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := cl.Ping(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if len(topics) == 0 {
		return nil
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = 10_000
	for _, name := range topics {
		t := kmsg.NewCreateTopicsRequestTopic()
		t.Topic = name
		t.NumPartitions = -1     // the broker's default
		t.ReplicationFactor = -1 // the broker's default
		req.Topics = append(req.Topics, t)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	var errs []error
	for _, t := range resp.Topics {
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("create topic %s: %w", t.Topic, err))
		}
	}
	return errors.Join(errs...)
}

// Stop closes the in-process Kafka, if we started one; its port is closed
// when Stop returns.
func (k *kafka) Stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fake != nil {
		k.fake.Close()
	}
}

// Restart closes the in-process Kafka, which saves its data, and opens it
// again on that data and the same ports: the services' clients reconnect.
func (k *kafka) Restart() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fake == nil {
		return errNotOurs.WithDetail("Kafka is not the launcher's (KAFKA_BROKERS is set)")
	}
	k.fake.Close()
	c, err := kfake.NewCluster(k.opts...)
	if err != nil {
		k.fake = nil
		return fmt.Errorf("reopen the in-process Kafka: %w", err)
	}
	k.fake = c
	return nil
}

// MoveLeader moves the leadership of topic's partition to the next broker.
func (k *kafka) MoveLeader(topic string, partition int32) (from, to int32, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fake == nil {
		return 0, 0, errNotOurs.WithDetail("Kafka is not the launcher's (KAFKA_BROKERS is set)")
	}
	if len(k.Brokers) < 2 {
		return 0, 0, errNotOurs.WithDetail("the in-process Kafka has one broker; RAPPORT_REPLICAS above 1 runs two")
	}
	from = k.fake.LeaderFor(topic, partition)
	if from < 0 {
		return 0, 0, errUnknownPartition.WithDetail("no partition %d of topic %q", partition, topic)
	}
	to = (from + 1) % int32(len(k.Brokers))
	if err := k.fake.MoveTopicPartition(topic, partition, to); err != nil {
		return 0, 0, fmt.Errorf("move %s/%d to broker %d: %w", topic, partition, to, err)
	}
	return from, to, nil
}
