package kafka

import (
	"context"
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kadm"
)

// GroupOffsets are committed offsets: group → topic → partition → offset.
type GroupOffsets = map[string]map[string]map[int32]int64

// Committed returns the committed offsets of every consumer group on any of
// topics, only for those topics.
func (a *Admin) Committed(ctx context.Context, topics []string) (GroupOffsets, error) {
	listed, err := a.adm.ListGroups(ctx)
	if err != nil {
		return nil, classify("list groups", err)
	}
	out := GroupOffsets{}
	groups := listed.Groups()
	if len(groups) == 0 {
		return out, nil
	}
	fetched := a.adm.FetchManyOffsets(ctx, groups...)
	if err := fetched.Error(); err != nil {
		return nil, classify("fetch offsets", err)
	}
	for group, resp := range fetched {
		resp.Fetched.Each(func(o kadm.OffsetResponse) {
			if o.Err != nil || o.At < 0 || !slices.Contains(topics, o.Topic) {
				return
			}
			if out[group] == nil {
				out[group] = map[string]map[int32]int64{}
			}
			if out[group][o.Topic] == nil {
				out[group][o.Topic] = map[int32]int64{}
			}
			out[group][o.Topic][o.Partition] = o.At
		})
	}
	return out, nil
}

// Commit sets the committed offsets of each group as given. A group must
// have no members (its consumers stopped), or the broker refuses.
func (a *Admin) Commit(ctx context.Context, offsets GroupOffsets) error {
	for group, topics := range offsets {
		os := kadm.Offsets{}
		for topic, parts := range topics {
			for p, at := range parts {
				os.Add(kadm.Offset{Topic: topic, Partition: p, At: at, LeaderEpoch: -1})
			}
		}
		resp, err := a.adm.CommitOffsets(ctx, group, os)
		if err != nil {
			return classify("commit offsets of "+group, err)
		}
		if err := resp.Error(); err != nil {
			return fmt.Errorf("commit offsets of %s: %w", group, err)
		}
	}
	return nil
}

// Ends returns the end offset of every partition of topics: topic →
// partition → offset.
func (a *Admin) Ends(ctx context.Context, topics []string) (map[string]map[int32]int64, error) {
	a.client.PurgeTopicsFromClient(topics...)
	listed, err := a.adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return nil, classify("list end offsets", err)
	}
	if err := listed.Error(); err != nil {
		return nil, fmt.Errorf("list end offsets: %w", err)
	}
	out := map[string]map[int32]int64{}
	listed.Each(func(o kadm.ListedOffset) {
		if out[o.Topic] == nil {
			out[o.Topic] = map[int32]int64{}
		}
		out[o.Topic][o.Partition] = o.Offset
	})
	return out, nil
}
