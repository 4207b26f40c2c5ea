package webhooks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/segmentio/kafka-go"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/filter"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// subscribe stores a subscription of tenant to types with the filter src
// ("" for none) and returns its id.
func (e *env) subscribe(t *testing.T, tenant string, types []string, src string) string {
	t.Helper()
	var n *filter.Node
	if src != "" {
		var err error
		if n, err = filter.Parse([]byte(src)); err != nil {
			t.Fatal(err)
		}
	}
	s, err := e.store.Create(t.Context(), tenant, "", Subscription{URL: "http://127.0.0.1:9/h", EventTypes: types, Filter: n})
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// event makes an event of typ about subject for tenant.
func event(t *testing.T, tenant, typ, subject string, data any) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/test", typ, subject, tenant, data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// publish sends evs to the topic of their type's context.
func publish(t *testing.T, pub *events.Publisher, evs ...events.Event) {
	t.Helper()
	for _, ev := range evs {
		context, _, _ := strings.Cut(strings.TrimPrefix(ev.Type, "dev.rapport."), ".")
		if err := pub.Publish(t.Context(), ev.Message(events.Topic("", context))); err != nil {
			t.Fatal(err)
		}
	}
}

// queued returns the event ids of the deliveries of sub of tenant in seq order.
func (e *env) queued(t *testing.T, tenant, sub string) []string {
	t.Helper()
	var out []string
	if err := pg.WithTenantTx(t.Context(), e.app, tenant, func(tx *sqlx.Tx) error {
		return tx.Select(&out, `SELECT event_id FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY seq`, sub)
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitQueued waits until sub of tenant has want deliveries and returns
// their event ids in seq order.
func (e *env) waitQueued(t *testing.T, tenant, sub string, want int) []string {
	t.Helper()
	var got []string
	testkit.Eventually(t, 20*time.Second, fmt.Sprintf("%d deliveries of %s", want, sub), func() (bool, string) {
		got = e.queued(t, tenant, sub)
		return len(got) >= want, fmt.Sprint(got)
	})
	return got
}

func TestWebhooksFanOutMatchesPatternsAndFilters(t *testing.T) {
	e := newEnv(t)
	brokers, pub := startKafka(t)
	all := e.subscribe(t, e.tenantA, []string{"*"}, "")
	bigDeals := e.subscribe(t, e.tenantA, []string{"dev.rapport.sales.opportunity.*"}, `{"field":"data.probability","op":"gte","value":50}`)
	contacts := e.subscribe(t, e.tenantA, []string{"dev.rapport.contacts.contact.created.v1"}, "")
	other := e.subscribe(t, e.tenantB, []string{"*"}, "")
	off := e.subscribe(t, e.tenantA, []string{"*"}, "")
	e.admin.MustExec(`UPDATE webhook_subscriptions SET status = 'disabled' WHERE id = $1`, off)
	e.cache.Forget(e.tenantA)
	e.startFanOut(t, brokers)

	big := event(t, e.tenantA, "dev.rapport.sales.opportunity.created.v1", ids.New(), map[string]any{"name": "Big", "probability": 60})
	small := event(t, e.tenantA, "dev.rapport.sales.opportunity.created.v1", ids.New(), map[string]any{"name": "Small", "probability": 10})
	contact := event(t, e.tenantA, "dev.rapport.contacts.contact.created.v1", ids.New(), map[string]any{"firstName": "Ann"})
	unknown := event(t, e.tenantA, "dev.rapport.sales.gizmo.spun.v1", ids.New(), "not an object")
	lead := event(t, e.tenantA, "dev.rapport.sales.lead.created.v1", ids.New(), map[string]any{"name": "Lead"})
	publish(t, pub, big, small, contact, unknown, lead)

	got := e.waitQueued(t, e.tenantA, all, 5)
	slices.Sort(got)
	want := []string{big.ID, small.ID, contact.ID, unknown.ID, lead.ID}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("* got %v, want %v", got, want)
	}
	if got := e.waitQueued(t, e.tenantA, contacts, 1); !slices.Equal(got, []string{contact.ID}) {
		t.Errorf("contact.created got %v", got)
	}
	// Every event has been applied (all 5 are in), so the filtered
	// subscription has all it will get.
	if got := e.queued(t, e.tenantA, bigDeals); !slices.Equal(got, []string{big.ID}) {
		t.Errorf("opportunity.* with probability >= 50 got %v, want [%s]", got, big.ID)
	}
	if got := e.queued(t, e.tenantB, other); len(got) != 0 {
		t.Errorf("tenant B's subscription got A's events %v", got)
	}
	if got := e.queued(t, e.tenantA, off); len(got) != 0 {
		t.Errorf("a disabled subscription got %v", got)
	}

	// The payload is the structured CloudEvent.
	var body []byte
	if err := e.admin.Get(&body, `SELECT payload FROM webhook_deliveries WHERE subscription_id = $1`, bigDeals); err != nil {
		t.Fatal(err)
	}
	var ce map[string]any
	if err := json.Unmarshal(body, &ce); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{"specversion": "1.0", "id": big.ID, "source": "/rapport/test", "type": big.Type,
		"subject": big.Subject, "datacontenttype": "application/json", "tenantid": e.tenantA} {
		if ce[k] != v {
			t.Errorf("payload %s = %v, want %v", k, ce[k], v)
		}
	}
	if d, _ := ce["data"].(map[string]any); d["name"] != "Big" || ce["time"] == nil {
		t.Errorf("payload %s", body)
	}
}

func TestWebhooksFanOutRedeliveredEventsAddNothing(t *testing.T) {
	e := newEnv(t)
	sub := e.subscribe(t, e.tenantA, []string{"dev.rapport.sales.*"}, "")
	ev := event(t, e.tenantA, "dev.rapport.sales.lead.created.v1", ids.New(), map[string]any{"name": "L"})
	h := NewHandler(e.cache, quiet)
	// Past the inbox (a rebuilt inbox, a replayed topic): twice the same event.
	for range 2 {
		if err := pg.WithTenantTx(t.Context(), e.app, e.tenantA, func(tx *sqlx.Tx) error {
			return h.HandleBatch(t.Context(), tx, []events.Event{ev, ev})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.queued(t, e.tenantA, sub); !slices.Equal(got, []string{ev.ID}) {
		t.Errorf("deliveries %v, want one of %s", got, ev.ID)
	}

	// Through Kafka, the same record twice.
	brokers, pub := startKafka(t)
	e.startFanOut(t, brokers)
	again := event(t, e.tenantA, "dev.rapport.sales.lead.updated.v1", ids.New(), map[string]any{"name": "L"})
	last := event(t, e.tenantA, "dev.rapport.sales.lead.updated.v1", again.Subject, map[string]any{"name": "M"})
	publish(t, pub, again, again, last)
	got := e.waitQueued(t, e.tenantA, sub, 3)
	if !slices.Equal(got, []string{ev.ID, again.ID, last.ID}) {
		t.Errorf("deliveries %v, want %s %s %s", got, ev.ID, again.ID, last.ID)
	}
}

func TestWebhooksFanOutKeepsEachSubjectsOrder(t *testing.T) {
	e := newEnv(t)
	sub := e.subscribe(t, e.tenantA, []string{"dev.rapport.sales.opportunity.*"}, "")
	brokers, pub := startKafka(t)
	e.startFanOut(t, brokers)
	subjects := []string{ids.New(), ids.New(), ids.New()}
	want := map[string][]string{}
	var evs []events.Event
	for i := range 60 {
		s := subjects[i%len(subjects)]
		ev := event(t, e.tenantA, "dev.rapport.sales.opportunity.updated.v1", s, map[string]any{"n": i})
		evs = append(evs, ev)
		want[s] = append(want[s], ev.ID)
	}
	if err := pub.Publish(t.Context(), messages(evs)...); err != nil {
		t.Fatal(err)
	}
	e.waitQueued(t, e.tenantA, sub, len(evs))
	for _, s := range subjects {
		var got []string
		if err := pg.WithTenantTx(t.Context(), e.app, e.tenantA, func(tx *sqlx.Tx) error {
			return tx.Select(&got, `SELECT event_id FROM webhook_deliveries WHERE subscription_id = $1 AND subject = $2 ORDER BY seq`, sub, s)
		}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want[s]) {
			t.Errorf("subject %s: deliveries in seq order %v, want %v", s, got, want[s])
		}
	}
}

// messages are the records of evs on the sales topic.
func messages(evs []events.Event) []kafka.Message {
	out := make([]kafka.Message, len(evs))
	for i, ev := range evs {
		out[i] = ev.Message(events.Topic("", "sales"))
	}
	return out
}

func TestWebhooksFanOutSeesAChangeAtOnce(t *testing.T) {
	e := newEnv(t)
	brokers, pub := startKafka(t)
	e.startFanOut(t, brokers)
	first := event(t, e.tenantA, "dev.rapport.sales.lead.created.v1", ids.New(), map[string]any{"name": "a"})
	early := e.subscribe(t, e.tenantA, []string{"dev.rapport.sales.lead.created.v1"}, "")
	publish(t, pub, first)
	e.waitQueued(t, e.tenantA, early, 1)
	// The cache holds A's subscriptions for an hour in this test: a new
	// one shows nevertheless, the store having told the cache.
	late := e.subscribe(t, e.tenantA, []string{"dev.rapport.sales.lead.created.v1"}, "")
	second := event(t, e.tenantA, "dev.rapport.sales.lead.created.v1", ids.New(), map[string]any{"name": "b"})
	publish(t, pub, second)
	if got := e.waitQueued(t, e.tenantA, late, 1); !slices.Equal(got, []string{second.ID}) {
		t.Errorf("the new subscription got %v, want [%s]", got, second.ID)
	}
}
