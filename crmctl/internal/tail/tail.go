// Package tail is `crmctl events tail`: a tenant's events read from the
// Kafka topics of every bounded context (rapport.<context>.v1, or a
// dedicated tenant's prefixed topics) by a reader of its own — no consumer
// group, so nothing is committed and no service's consumers are disturbed —
// decoded as libs/events decodes them, kept when their ce_tenantid is the
// tenant's and their type matches, and printed one per line.
package tail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
)

// The output formats of tail.
const (
	JSON  = "json"  // one structured CloudEvent (JSON) per line
	Table = "table" // time, type and subject per line
)

// ErrNoTenant is a tail without a tenant to keep.
var ErrNoTenant = errors.New("no tenant: log in, or name one with --tenant-id")

// Options are one tail's settings.
type Options struct {
	// Brokers are the Kafka brokers' addresses.
	Brokers []string
	// Prefix is the topics' prefix ("" for the shared tier,
	// "t.<tenant>." for a dedicated tenant).
	Prefix string
	// TenantID is the tenant whose events are kept.
	TenantID string
	// Types are type patterns (exact, or ending in ".*" for one or more
	// further segments, or "*"); none keeps every type.
	Types []string
	// FromBeginning reads the topics from their start instead of only the
	// events published from now on.
	FromBeginning bool
	// Format is JSON or Table.
	Format string
	// Out receives the events; Errw the records that are no event.
	Out, Errw io.Writer
}

// Topics returns the topics of every bounded context of the registry for
// prefix.
func Topics(prefix string) []string {
	var out []string
	for _, s := range registry.Default() {
		if s.Context != "" {
			out = append(out, s.Topic(prefix))
		}
	}
	return out
}

// Run prints the tenant's events until ctx ends, which is no error.
func Run(ctx context.Context, o Options) error {
	if o.TenantID == "" {
		return ErrNoTenant
	}
	start := kgo.NewOffset().AtEnd()
	if o.FromBeginning {
		start = kgo.NewOffset().AtStart()
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(o.Brokers...),
		kgo.ConsumeTopics(Topics(o.Prefix)...),
		kgo.ConsumeResetOffset(start),
		kgo.FetchMaxWait(500*time.Millisecond),
	)
	if err != nil {
		return err
	}
	defer cl.Close()
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		for _, fe := range fetches.Errors() {
			if !errors.Is(fe.Err, kgo.ErrClientClosed) {
				fmt.Fprintf(o.Errw, "tail: %s[%d]: %v\n", fe.Topic, fe.Partition, fe.Err)
			}
		}
		var werr error
		fetches.EachRecord(func(r *kgo.Record) {
			if werr == nil {
				werr = o.print(r)
			}
		})
		if werr != nil {
			return werr
		}
	}
}

// print writes r when it is an event of the tenant of a type asked.
func (o Options) print(r *kgo.Record) error {
	m := kafka.Message{Topic: r.Topic, Key: r.Key, Value: r.Value}
	for _, h := range r.Headers {
		m.Headers = append(m.Headers, kafka.Header{Key: h.Key, Value: h.Value})
	}
	ev, err := events.Parse(m)
	if err != nil {
		fmt.Fprintf(o.Errw, "tail: %s[%d]@%d: %v\n", r.Topic, r.Partition, r.Offset, err)
		return nil
	}
	if ev.TenantID != o.TenantID || !Match(o.Types, ev.Type) {
		return nil
	}
	if o.Format == Table {
		_, err = fmt.Fprintf(o.Out, "%s  %-56s  %s\n", ev.Time.UTC().Format(time.RFC3339Nano), ev.Type, ev.Subject)
		return err
	}
	b, err := json.Marshal(events.ToStructured(ev))
	if err != nil {
		return err
	}
	_, err = o.Out.Write(append(b, '\n'))
	return err
}

// Match reports whether typ matches one of patterns, or patterns is empty
// (every type); events.TypeMatches says what a pattern matches.
func Match(patterns []string, typ string) bool {
	return len(patterns) == 0 || events.TypeMatchesAny(patterns, typ)
}
