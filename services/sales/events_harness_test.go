package sales_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// inboundEvent is an event of tenant as the service of source publishes
// it, of type typ on subject.
func inboundEvent(t *testing.T, source, typ, subject, tenant string, payload any) events.Event {
	t.Helper()
	ev, err := events.New(source, typ, subject, tenant, payload)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// contactsEvent is an event as the contacts service publishes it, of type
// typ on subject of tenant.
func contactsEvent(t *testing.T, typ, subject, tenant string, payload any) events.Event {
	t.Helper()
	return inboundEvent(t, "/rapport/contacts", typ, subject, tenant, payload)
}

// marketingEvent is an event of marketing's, as documented in the README
// (Lead scoring, Leads from marketing), of type typ for tenant, its data
// payload (of the documented shape, or not).
func marketingEvent(t *testing.T, typ, tenant string, payload any) events.Event {
	t.Helper()
	return inboundEvent(t, "/rapport/marketing", typ, uuid.NewString(), tenant, payload)
}

// send publishes evs to the topic of the service called from (registry),
// which the service under test consumes.
func (e *env) send(from string, evs ...events.Event) {
	e.t.Helper()
	pub := events.NewPublisher(e.brokers)
	defer pub.Close()
	for _, ev := range evs {
		if err := pub.Publish(e.t.Context(), ev.Message(registry.MustTopic("", from))); err != nil {
			e.t.Fatal(err)
		}
	}
}

// waitInbox waits until the service has consumed the event id: applied
// it, or skipped it as of a type it does not apply (both recorded in the
// inbox, in the transaction of what it changed).
func (e *env) waitInbox(id string) {
	e.t.Helper()
	testkit.Eventually(e.t, 45*time.Second, "event "+id+" consumed", func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE id = $1", id); err != nil {
			e.t.Fatal(err)
		}
		return n == 1, ""
	})
}

// changes returns the changed fields of each <kind>.updated the service
// published about subject (kind "lead", "opportunity"), in order.
func changes(e *env, kind, subject string) [][]string {
	e.t.Helper()
	var out [][]string
	for _, ev := range e.published() {
		if ev.Subject != subject || ev.Type != "dev.rapport.sales."+kind+".updated.v1" {
			continue
		}
		var p struct {
			Changed []string `json:"changed"`
		}
		if err := json.Unmarshal(ev.Data, &p); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, p.Changed)
	}
	return out
}
