package kafka_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/testkit"
	"github.com/rapport-crm/rapport/operator/internal/kafka"
)

func TestEnsureAndDelete(t *testing.T) {
	brokers := testkit.Kafka(t)
	a, err := kafka.NewAdmin(brokers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topics := []string{"t.acme.rapport.contacts.v1", "t.acme.rapport.contacts.v1.dlq"}

	steps := []struct {
		name                   string
		partitions             int32
		wantCreated, wantGrown []string
		wantPartitions         int
	}{
		{"create", 4, topics, nil, 4},
		{"again", 4, nil, nil, 4},
		{"grow", 6, nil, topics, 6},
		{"never shrink", 2, nil, nil, 6},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			created, grown, err := a.Ensure(ctx, topics, s.partitions, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(created, s.wantCreated) || !slices.Equal(grown, s.wantGrown) {
				t.Errorf("created %v grown %v, want %v and %v", created, grown, s.wantCreated, s.wantGrown)
			}
			for _, topic := range topics {
				if got := partitions(t, brokers, topic); got != s.wantPartitions {
					t.Errorf("%s has %d partitions, want %d", topic, got, s.wantPartitions)
				}
			}
		})
	}

	t.Run("replication beyond the brokers", func(t *testing.T) {
		if _, _, err := a.Ensure(ctx, []string{"t.acme.rapport.sales.v1"}, 3, 3); err == nil || errors.Is(err, kafka.ErrUnreachable) {
			t.Errorf("Ensure with replication factor 3 on one broker = %v, want the broker's refusal", err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		deleted, err := a.Delete(ctx, topics)
		if err != nil {
			t.Fatal(err)
		}
		if len(deleted) != len(topics) {
			t.Errorf("deleted %v, want %v", deleted, topics)
		}
		for _, topic := range topics {
			if got := partitions(t, brokers, topic); got != 0 {
				t.Errorf("%s still has %d partitions after Delete", topic, got)
			}
		}
		if deleted, err := a.Delete(ctx, topics); err != nil || len(deleted) != 0 {
			t.Errorf("Delete of what is gone = %v, %v; want nothing deleted and no error", deleted, err)
		}
	})
}

func TestUnreachable(t *testing.T) {
	a, err := kafka.NewAdmin([]string{testkit.FreeAddr(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, _, err := a.Ensure(ctx, []string{"t.x.rapport.contacts.v1"}, 1, 1); !errors.Is(err, kafka.ErrUnreachable) {
		t.Errorf("Ensure against a closed port = %v, want %v", err, kafka.ErrUnreachable)
	}
}

// partitions returns how many partitions topic has, 0 when it does not
// exist.
func partitions(t *testing.T, brokers []string, topic string) int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	details, err := kadm.NewClient(cl).ListTopics(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := details[topic]
	if !ok || d.Err != nil {
		return 0
	}
	return len(d.Partitions)
}
