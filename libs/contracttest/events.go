package contracttest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// ValidateEvents checks the payload of each of evs against the JSON Schema
// of its type in dir (a service's api/events): a type without a schema, or
// a payload the schema rejects, fails the test.
func ValidateEvents(t testing.TB, dir string, evs []events.Event) {
	t.Helper()
	c := jsonschema.NewCompiler()
	for _, ev := range evs {
		path, err := filepath.Abs(filepath.Join(dir, ev.Type+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("event type %s has no schema: %v", ev.Type, err)
			continue
		}
		sch, err := c.Compile(path)
		if err != nil {
			t.Fatalf("compile %s: %v", path, err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(ev.Data))
		if err != nil {
			t.Fatalf("%s payload: %v", ev.Type, err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s payload does not match its schema: %v\n%s", ev.Type, err, ev.Data)
		}
	}
}

// Published returns every event a service has published to topic so far,
// in order: it waits until the outbox relay has emptied the outbox of the
// service's database (admin, a connection that sees every tenant's rows),
// then reads topic (of one partition) on brokers from its start to its end.
// A record that is no event (events.Parse) fails the test.
func Published(t testing.TB, admin *sqlx.DB, brokers []string, topic string) []events.Event {
	t.Helper()
	testkit.Eventually(t, 30*time.Second, "the relay empties the outbox", func() (bool, string) {
		var left int
		if err := admin.Get(&left, "SELECT count(*) FROM outbox"); err != nil {
			t.Fatal(err)
		}
		return left == 0, fmt.Sprintf("%d events in the outbox", left)
	})
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	var out []events.Event
	for _, r := range testkit.ReadTopic(t, brokers, topic, int(n), 30*time.Second) {
		m := kafka.Message{Topic: r.Topic, Key: r.Key, Value: r.Value}
		for _, h := range r.Headers {
			m.Headers = append(m.Headers, kafka.Header{Key: h.Key, Value: h.Value})
		}
		ev, err := events.Parse(m)
		if err != nil {
			t.Fatalf("a record of %s is no event: %v", topic, err)
		}
		out = append(out, ev)
	}
	return out
}
