package reconcile

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/events"
)

// Record is one record of a topic, with its CloudEvents headers.
type Record struct {
	Topic, ID, Type, Tenant string
	Time                    time.Time // its ce_time
	Error                   string    // a DLQ record's cause, as its consumer wrote it
	Origin                  string    // a DLQ record's origin (topic/partition@offset)
	Value                   []byte
}

// DLQ reports a dead-letter topic's record.
func (r Record) DLQ() bool { return strings.HasSuffix(r.Topic, ".dlq") }

// ReadTopics reads every record of every topic of the cluster at brokers
// (Kafka's own topics aside), from its start to its end as it is now.
func ReadTopics(ctx context.Context, brokers []string) ([]Record, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	topics, err := adm.ListTopics(ctx)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	var names []string
	for _, t := range topics.Sorted() {
		if !strings.HasPrefix(t.Topic, "__") {
			names = append(names, t.Topic)
		}
	}
	ends, err := adm.ListEndOffsets(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("end offsets: %w", err)
	}
	starts, err := adm.ListStartOffsets(ctx, names...)
	if err != nil {
		return nil, fmt.Errorf("start offsets: %w", err)
	}
	want := map[string]map[int32]kgo.Offset{}
	left := map[string]map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		s, _ := starts.Lookup(o.Topic, o.Partition)
		if o.Err != nil || o.Offset <= s.Offset {
			return
		}
		if want[o.Topic] == nil {
			want[o.Topic], left[o.Topic] = map[int32]kgo.Offset{}, map[int32]int64{}
		}
		want[o.Topic][o.Partition] = kgo.NewOffset().At(s.Offset)
		left[o.Topic][o.Partition] = o.Offset
	})
	if len(want) == 0 {
		return nil, nil
	}
	rd, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumePartitions(want))
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var out []Record
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for remaining(left) > 0 {
		fs := rd.PollFetches(ctx)
		if ctx.Err() != nil {
			return out, fmt.Errorf("read topics: %d partitions not read to their end: %w", remaining(left), ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) {
			rec := Record{Topic: r.Topic, Value: r.Value}
			for _, h := range r.Headers {
				switch h.Key {
				case events.HeaderID:
					rec.ID = string(h.Value)
				case events.HeaderType:
					rec.Type = string(h.Value)
				case events.HeaderTenantID:
					rec.Tenant = string(h.Value)
				case events.HeaderError:
					rec.Error = string(h.Value)
				case events.HeaderOrigin:
					rec.Origin = string(h.Value)
				case events.HeaderTime:
					rec.Time, _ = time.Parse(time.RFC3339Nano, string(h.Value))
				}
			}
			out = append(out, rec)
			if end, ok := left[r.Topic][r.Partition]; ok && r.Offset+1 >= end {
				delete(left[r.Topic], r.Partition)
			}
		})
	}
	return out, nil
}

// remaining counts the partitions not read to their end.
func remaining(left map[string]map[int32]int64) int {
	n := 0
	for _, p := range left {
		n += len(p)
	}
	return n
}
