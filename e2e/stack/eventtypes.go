package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/rapport-crm/rapport/libs/events"
)

// CataloguePath is where the gateway serves the event catalogue (an
// AsyncAPI 3.0 document whose components.messages are named by event type).
const CataloguePath = "/asyncapi.json"

// CheckEventTypes fails t for every record on the stack's Kafka whose
// ce_type the gateway's event catalogue (GET /asyncapi.json) does not list,
// and for every record without one. Start registers it as the stack's first
// cleanup, so it runs after the test, while the gateway and Kafka still run,
// over everything the test made the services publish.
func (s *Stack) CheckEventTypes(t testing.TB) {
	t.Helper()
	known, err := catalogueTypes(s.GatewayURL + CataloguePath)
	if err != nil {
		t.Errorf("event catalogue: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	unknown, err := UnknownEventTypes(ctx, s.Brokers, known)
	if err != nil {
		t.Errorf("event catalogue: %v", err)
	}
	for _, u := range unknown {
		t.Errorf("event catalogue: %s, which GET %s does not list", u, CataloguePath)
	}
}

// catalogueTypes returns the event types of the catalogue at url.
func catalogueTypes(url string) (map[string]bool, error) {
	resp, err := http.Get(url) //nolint:gosec // the test's own gateway
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var doc struct {
		Components struct {
			Messages map[string]json.RawMessage `json:"messages"`
		} `json:"components"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if len(doc.Components.Messages) == 0 {
		return nil, fmt.Errorf("GET %s lists no event type", url)
	}
	known := map[string]bool{}
	for typ := range doc.Components.Messages {
		known[typ] = true
	}
	return known, nil
}

// UnknownEventTypes reads every record of every topic on brokers, from the
// start to the end each partition had when it was called, and describes
// each record whose ce_type is not in known ("topic/partition@offset:
// type"), sorted.
func UnknownEventTypes(ctx context.Context, brokers []string, known map[string]bool) ([]string, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ends, err := endOffsets(ctx, cl)
	if err != nil {
		return nil, err
	}
	start := map[string]map[int32]kgo.Offset{}
	left := 0
	for topic, parts := range ends {
		for p, end := range parts {
			if end > 0 {
				if start[topic] == nil {
					start[topic] = map[int32]kgo.Offset{}
				}
				start[topic][p] = kgo.NewOffset().AtStart()
				left++
			}
		}
	}
	if left == 0 {
		return nil, nil
	}
	cl.AddConsumePartitions(start)
	var unknown []string
	for left > 0 {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return unknown, fmt.Errorf("%d partitions not read to their end: %w", left, ctx.Err())
		}
		fs.EachRecord(func(r *kgo.Record) {
			end := ends[r.Topic][r.Partition]
			if r.Offset >= end {
				return // published after the check began
			}
			typ := ""
			for _, h := range r.Headers {
				if h.Key == events.HeaderType {
					typ = string(h.Value)
				}
			}
			if !known[typ] {
				if typ == "" {
					typ = "a record without " + events.HeaderType
				}
				unknown = append(unknown, fmt.Sprintf("%s/%d@%d: %s", r.Topic, r.Partition, r.Offset, typ))
			}
			if r.Offset == end-1 {
				left--
			}
		})
	}
	slices.Sort(unknown)
	return unknown, nil
}

// endOffsets returns the end offset of every partition of every topic but
// Kafka's internal ones.
func endOffsets(ctx context.Context, cl *kgo.Client) (map[string]map[int32]int64, error) {
	meta, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	req := kmsg.NewPtrListOffsetsRequest()
	req.ReplicaID = -1
	for _, mt := range meta.Topics {
		if mt.Topic == nil || strings.HasPrefix(*mt.Topic, "__") {
			continue
		}
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = *mt.Topic
		for _, mp := range mt.Partitions {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition = mp.Partition
			rp.Timestamp = -1 // the end
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	ends := map[string]map[int32]int64{}
	for _, rt := range resp.Topics {
		ends[rt.Topic] = map[int32]int64{}
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				return nil, fmt.Errorf("list offsets of %s/%d: %w", rt.Topic, rp.Partition, err)
			}
			ends[rt.Topic][rp.Partition] = rp.Offset
		}
	}
	return ends, nil
}
