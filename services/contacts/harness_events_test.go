package contacts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// outboxEvents returns the types and payloads of the events the service has
// published so far, in order.
func (e *env) outboxEvents() (types []string, payloads []published) {
	e.t.Helper()
	for _, p := range e.published() {
		types, payloads = append(types, p.typ), append(payloads, p)
	}
	return types, payloads
}

// published is one event the service published: its id, type, subject,
// tenant, topic and payload (read with decodeEvent or state).
type published struct {
	t                               *testing.T
	id, typ, subject, tenant, topic string
	data                            json.RawMessage
}

// decodeEvent returns p's payload as a T; a payload that does not decode as
// a T fails the test.
func decodeEvent[T any](p published) T {
	p.t.Helper()
	var v T
	if err := json.Unmarshal(p.data, &v); err != nil {
		p.t.Fatalf("the payload of %s is no %T: %v\n%s", p.typ, v, err, p.data)
	}
	return v
}

// eventState is what the tests read of an event's payload: the state of
// the resource (its id, version, owner and visibility), the fields an update
// changed, and of a merge the winner, the loser and the merged fields.
type eventState struct {
	ID           string          `json:"id"`
	Version      int64           `json:"version"`
	OwnerID      string          `json:"ownerId"`
	Visibility   string          `json:"visibility"`
	Changed      []string        `json:"changed"`
	Winner       json.RawMessage `json:"winner"`
	LoserID      string          `json:"loserId"`
	MergedFields []string        `json:"mergedFields"`
}

// state returns p's payload as an eventState.
func (p published) state() eventState {
	p.t.Helper()
	return decodeEvent[eventState](p)
}

// published returns every event the service has published so far, in
// order: it waits until the outbox relay has emptied the outbox, then reads
// the service's topic (of one partition) from its start to its end.
func (e *env) published() []published {
	e.t.Helper()
	var left int
	testkit.Eventually(e.t, 30*time.Second, "the relay empties the outbox", func() (bool, string) {
		if err := e.admin.Get(&left, "SELECT count(*) FROM outbox"); err != nil {
			e.t.Fatal(err)
		}
		return left == 0, fmt.Sprintf("%d events in the outbox", left)
	})
	topic := registry.MustTopic("", registry.Contacts)
	ends, err := kadm.NewClient(e.kafka()).ListEndOffsets(context.Background(), topic)
	if err != nil {
		e.t.Fatal(err)
	}
	var n int64
	ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
	var out []published
	for _, r := range testkit.ReadTopic(e.t, e.brokers, topic, int(n), 30*time.Second) {
		p := published{t: e.t, topic: r.Topic, data: r.Value}
		for _, h := range r.Headers {
			switch h.Key {
			case "ce_id":
				p.id = string(h.Value)
			case "ce_type":
				p.typ = string(h.Value)
			case "ce_subject":
				p.subject = string(h.Value)
			case "ce_tenantid":
				p.tenant = string(h.Value)
			}
		}
		if !json.Valid(r.Value) {
			e.t.Fatalf("the payload of %s is not JSON: %s", p.typ, r.Value)
		}
		out = append(out, p)
	}
	return out
}
