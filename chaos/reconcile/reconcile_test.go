package reconcile

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/chaos/load"
)

// TestChaosTallyCounts counts an acknowledged write missing as lost, one
// held twice as duplicated, a rejected one held as extra, and an unknown
// one held once or not at all as fine.
func TestChaosTallyCounts(t *testing.T) {
	var ta tally
	ta.want("a", load.Acked, 1)
	ta.want("b", load.Acked, 0)
	ta.want("c", load.Acked, 2)
	ta.want("d", load.Rejected, 1)
	ta.want("e", load.Rejected, 0)
	ta.want("f", load.Unknown, 1)
	ta.want("g", load.Unknown, 0)
	c := ta.done()
	if c.Want != 3 || c.Lost != 1 || c.Duplicated != 1 || c.Extra != 1 || c.OK() {
		t.Errorf("check %+v", c)
	}
}

// recv is a receiver's record of deliveries.
type recv map[string]int

// Received returns the deliveries (one tenant).
func (r recv) Received(string) map[string]int { return r }

// TestChaosWebhooksAndDLQ reads published records: an event of the tenant
// after the subscription not delivered is lost, one delivered twice a
// redelivery, one before the subscription and the poison one are not
// expected; a DLQ record other than the poison one is extra.
func TestChaosWebhooksAndDLQ(t *testing.T) {
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tn := &load.Tenant{ID: "t1", Slug: "one", HookSince: since}
	after, before := since.Add(time.Second), since.Add(-time.Second)
	published := []Record{
		{Topic: "rapport.contacts.v1", ID: "e1", Tenant: "t1", Time: after},
		{Topic: "rapport.contacts.v1", ID: "e2", Tenant: "t1", Time: after},
		{Topic: "rapport.contacts.v1", ID: "e3", Tenant: "t1", Time: before},
		{Topic: "rapport.contacts.v1", ID: "e4", Tenant: "t2", Time: after},
		{Topic: "rapport.contacts.v1", ID: "poison", Tenant: "t1", Time: after},
		{Topic: "rapport.contacts.v1.dlq", ID: "poison", Tenant: "t1", Time: after},
	}
	c, redelivered := webhooks(tn, recv{"e1": 2, "poison": 1}, published, "poison")
	if c.Want != 2 || c.Got != 1 || c.Lost != 1 || c.Extra != 0 || redelivered != 1 {
		t.Errorf("webhooks %+v, %d redelivered", c, redelivered)
	}
	if d := dlq(published, "poison"); !d.OK() || d.Want != 1 {
		t.Errorf("dlq %+v", d)
	}
	published = append(published, Record{Topic: "rapport.sales.v1.dlq", ID: "e9"})
	if d := dlq(published, "poison"); d.Extra != 1 {
		t.Errorf("dlq with another record %+v", d)
	}
	if d := dlq(nil, "poison"); d.Lost != 1 {
		t.Errorf("dlq without the poison %+v", d)
	}
}
