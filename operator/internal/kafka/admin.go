package kafka

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Admin manages topics on one Kafka cluster.
type Admin struct {
	client *kgo.Client
	adm    *kadm.Client
}

// NewAdmin returns an admin for the cluster behind brokers. It does not
// connect until it is used. Close it when done.
func NewAdmin(brokers []string) (*Admin, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	return &Admin{client: cl, adm: kadm.NewClient(cl)}, nil
}

// Close closes the admin's connections.
func (a *Admin) Close() { a.client.Close() }

// Ensure makes every topic exist with at least partitions partitions:
// missing topics are created with partitions and replicationFactor, and
// existing ones with fewer partitions grow. It returns the topics it created
// and those it grew.
func (a *Admin) Ensure(ctx context.Context, topics []string, partitions int32, replicationFactor int16) (created, grown []string, err error) {
	// kadm answers from the client's metadata cache for a few seconds;
	// what another pass or another program just changed must be seen.
	a.client.PurgeTopicsFromClient(topics...)
	details, err := a.adm.ListTopics(ctx, topics...)
	if err != nil {
		return nil, nil, classify("list topics", err)
	}
	var missing []string
	for _, name := range topics {
		d, ok := details[name]
		switch {
		case !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition):
			missing = append(missing, name)
		case d.Err != nil:
			return nil, nil, classify("describe "+name, d.Err)
		case int32(len(d.Partitions)) < partitions:
			grown = append(grown, name)
		}
	}
	if len(missing) > 0 {
		res, err := a.adm.CreateTopics(ctx, partitions, replicationFactor, nil, missing...)
		if err != nil {
			return nil, nil, classify("create topics", err)
		}
		for _, name := range missing {
			r, ok := res[name]
			switch {
			case !ok:
				return created, nil, fmt.Errorf("create %s: no answer", name)
			case r.Err == nil:
				created = append(created, name)
			case !errors.Is(r.Err, kerr.TopicAlreadyExists):
				return created, nil, fmt.Errorf("create %s: %w (%s)", name, r.Err, r.ErrMessage)
			}
		}
	}
	if len(grown) > 0 {
		res, err := a.adm.UpdatePartitions(ctx, int(partitions), grown...)
		if err != nil {
			return created, nil, classify("grow topics", err)
		}
		for _, r := range res.Sorted() {
			if r.Err != nil {
				return created, nil, fmt.Errorf("grow %s: %w (%s)", r.Topic, r.Err, r.ErrMessage)
			}
		}
	}
	return created, grown, nil
}

// Delete removes the topics and returns those it removed; those already
// gone are skipped.
func (a *Admin) Delete(ctx context.Context, topics []string) (deleted []string, err error) {
	if len(topics) == 0 {
		return nil, nil
	}
	res, err := a.adm.DeleteTopics(ctx, topics...)
	if err != nil {
		return nil, classify("delete topics", err)
	}
	for _, r := range res.Sorted() {
		switch {
		case r.Err == nil:
			deleted = append(deleted, r.Topic)
		case !errors.Is(r.Err, kerr.UnknownTopicOrPartition):
			return deleted, fmt.Errorf("delete %s: %w (%s)", r.Topic, r.Err, r.ErrMessage)
		}
	}
	return deleted, nil
}
