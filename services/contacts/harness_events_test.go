package contacts_test

import (
	"encoding/json"
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
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

// events returns every event the service has published so far, in order
// (contracttest.Published).
func (e *env) events() []events.Event {
	e.t.Helper()
	return contracttest.Published(e.t, e.admin, e.brokers, registry.MustTopic("", registry.Contacts))
}

// published returns every event the service has published so far, in
// order, each readable with decodeEvent or state.
func (e *env) published() []published {
	e.t.Helper()
	topic := registry.MustTopic("", registry.Contacts)
	var out []published
	for _, ev := range e.events() {
		out = append(out, published{t: e.t, id: ev.ID, typ: ev.Type, subject: ev.Subject, tenant: ev.TenantID, topic: topic, data: ev.Data})
	}
	return out
}
