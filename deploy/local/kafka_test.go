package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestInProcessKafkaKeepsEvents starts the in-process Kafka twice on one
// state directory, as two `make run`s do: the second finds the first's
// events and its consumer group's offset, and makes the topic of a service
// added in between.
func TestInProcessKafkaKeepsEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg := Config{StateDir: t.TempDir(), LocalKafkaPort: testkit.FreePort(t)}

	first, err := startKafka(ctx, cfg, []string{"rapport.contacts.v1"})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(first.Brokers...), kgo.ConsumerGroup("reader"),
		kgo.ConsumeTopics("rapport.contacts.v1"), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"one", "two"} {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "rapport.contacts.v1", Key: []byte("k"), Value: []byte(v)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	got := poll(ctx, t, cl, 1)
	if err := cl.CommitRecords(ctx, got...); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	first.Stop()

	second, err := startKafka(ctx, cfg, []string{"rapport.contacts.v1", "rapport.sales.v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Stop()
	cl, err = kgo.NewClient(kgo.SeedBrokers(second.Brokers...), kgo.ConsumerGroup("reader"),
		kgo.ConsumeTopics("rapport.contacts.v1"), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if rest := poll(ctx, t, cl, 1); string(rest[0].Value) != "two" {
		t.Errorf("after the restart the group read %q, want the event after its committed offset, %q", rest[0].Value, "two")
	}
	topics, err := kadm.NewClient(cl).ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if names := topics.Names(); !slices.Contains(names, "rapport.sales.v1") {
		t.Errorf("topics after the restart %v lack the new service's", names)
	}
}

// poll returns the first n records cl fetches.
func poll(ctx context.Context, t *testing.T, cl *kgo.Client, n int) []*kgo.Record {
	t.Helper()
	var recs []*kgo.Record
	for len(recs) < n {
		fs := cl.PollRecords(ctx, n-len(recs))
		if err := ctx.Err(); err != nil {
			t.Fatalf("polled %d of %d records: %v", len(recs), n, err)
		}
		recs = append(recs, fs.Records()...)
	}
	return recs
}
