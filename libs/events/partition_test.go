package events

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// partitionKeys are the keys TestPartitionMatchesKcat sends: entity ids as
// the outbox keys records, ASCII of every length up to a few blocks of
// murmur2, UTF-8 (Chinese, accents, emoji) and the empty key.
func partitionKeys() []string {
	keys := []string{""}
	for i := range 80 {
		keys = append(keys, uuid.NewSHA1(uuid.NameSpaceOID, []byte{byte(i)}).String())
	}
	for i := 1; i <= 60; i++ {
		keys = append(keys, strings.Repeat("k", i%13)+fmt.Sprintf("key-%d", i))
	}
	for i, s := range []string{"联系人", "客户", "商机", "Zoë", "Ærøskøbing", "naïve café", "🚀", "ключ", "مفتاح", "κλειδί"} {
		for j := range 6 {
			keys = append(keys, fmt.Sprintf("%s-%d-%d", s, i, j))
		}
	}
	return keys
}

// TestPartitionMatchesKcat checks that the Publisher puts each key on the
// partition the Java client and librdkafka's murmur2_random put it on: the
// same ~200 keys are produced by kcat (librdkafka, topic.partitioner
// murmur2_random) and by the Publisher to a topic of 6 partitions, and each
// key's records must share a partition. kcat is the Debian package kcat,
// which make test installs (scripts/integration-packages.sh).
func TestPartitionMatchesKcat(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatalf("kcat (Debian package kcat; make test installs it with scripts/integration-packages.sh): %v", err)
	}
	const topic, partitions = "rapport.partition.v1", 6
	brokers := testkit.Kafka(t, kfake.SeedTopics(partitions, topic))
	keys := partitionKeys()

	// kcat: one record per line, KEY<TAB>VALUE.
	var in bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&in, "%s\tkcat\n", k)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kcat, "-P", "-b", strings.Join(brokers, ","), "-t", topic, "-K", "\t",
		"-X", "topic.partitioner=murmur2_random", "-X", "topic.request.required.acks=-1")
	cmd.Stdin = &in
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}

	pub := NewPublisher(brokers)
	defer pub.Close()
	msgs := make([]kafka.Message, len(keys))
	for i, k := range keys {
		msgs[i] = kafka.Message{Topic: topic, Key: []byte(k), Value: []byte("go")}
	}
	if err := pub.Publish(ctx, msgs...); err != nil {
		t.Fatal(err)
	}

	records := testkit.ReadTopic(t, brokers, topic, 2*len(keys), 30*time.Second)
	if len(records) != 2*len(keys) {
		t.Fatalf("read %d records, want %d", len(records), 2*len(keys))
	}
	byKcat, byGo := map[string]int32{}, map[string]int32{}
	used := map[int32]bool{}
	for _, r := range records {
		used[r.Partition] = true
		switch string(r.Value) {
		case "kcat":
			byKcat[string(r.Key)] = r.Partition
		case "go":
			byGo[string(r.Key)] = r.Partition
		}
	}
	for _, k := range keys {
		kp, kok := byKcat[k]
		gp, gok := byGo[k]
		if !kok || !gok || kp != gp {
			t.Errorf("key %q: kcat's partition %d (%v), the Publisher's %d (%v)", k, kp, kok, gp, gok)
		}
	}
	if len(used) != partitions {
		t.Errorf("the keys used %d of %d partitions", len(used), partitions)
	}
}

// TestPartitionNullKey checks that records without a key are spread over
// the partitions (random, as murmur2_random does) rather than piled on one.
func TestPartitionNullKey(t *testing.T) {
	const topic, partitions, n = "rapport.partition.null.v1", 6, 120
	brokers := testkit.Kafka(t, kfake.SeedTopics(partitions, topic))
	pub := NewPublisher(brokers)
	defer pub.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for range n {
		if err := pub.Publish(ctx, kafka.Message{Topic: topic, Value: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	used := map[int32]bool{}
	for _, r := range testkit.ReadTopic(t, brokers, topic, n, 30*time.Second) {
		used[r.Partition] = true
	}
	// Random choice leaves a partition out of 120 records with a
	// probability of about 6 × (5/6)^120, under 10⁻⁸.
	if len(used) != partitions {
		t.Errorf("records without a key used %d of %d partitions", len(used), partitions)
	}
}
