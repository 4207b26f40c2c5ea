package contacts_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts/activities"
	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/timeline"
)

// timelinePage is a page of a timeline.
type timelinePage = customer.Page[timeline.Entry]

// timelineOf reads the page of a timeline at path as u, wanting a 200.
func (e *env) timelineOf(u user, path string) timelinePage {
	e.t.Helper()
	return contracttest.Decode[timelinePage](e.want(e.do(u, "GET", path, nil), http.StatusOK))
}

// publishForeign publishes, as the service of context would, an event of
// type typ on subject of tenant that happened at at, to context's topic,
// and returns its id. A topic just created may be unknown to the
// publisher's metadata for a few seconds: it tries until it is known.
func (e *env) publishForeign(context, typ, subject, tenant string, at time.Time, payload any) string {
	e.t.Helper()
	ev, err := events.New("/rapport/"+context, typ, subject, tenant, payload)
	if err != nil {
		e.t.Fatal(err)
	}
	ev.Time = at
	pub := events.NewPublisher(e.brokers)
	defer pub.Close()
	testkit.Eventually(e.t, 30*time.Second, "event published to "+context, func() (bool, string) {
		err := pub.Publish(e.t.Context(), ev.Message(registry.MustTopic("", context)))
		return err == nil, fmt.Sprint(err)
	})
	return ev.ID
}

// waitEntry waits until the timeline at path as u holds the entry id (an
// event's, once the service has consumed it) and returns the page.
func (e *env) waitEntry(u user, path, id string) timelinePage {
	e.t.Helper()
	var page timelinePage
	testkit.Eventually(e.t, 45*time.Second, "entry "+id+" in "+path, func() (bool, string) {
		page = e.timelineOf(u, path)
		return slices.ContainsFunc(page.Items, func(x timeline.Entry) bool { return x.ID == id }), fmt.Sprintf("%d entries", len(page.Items))
	})
	return page
}

// typesOf returns the types of entries, in order.
func typesOf(entries []timeline.Entry) []string {
	var out []string
	for _, x := range entries {
		out = append(out, x.Type)
	}
	return out
}

// entryOf returns the entry id of page; none fails the test.
func entryOf(t *testing.T, page timelinePage, id string) timeline.Entry {
	t.Helper()
	i := slices.IndexFunc(page.Items, func(x timeline.Entry) bool { return x.ID == id })
	if i < 0 {
		t.Fatalf("no entry %s in %v", id, typesOf(page.Items))
	}
	return page.Items[i]
}

// rfc3339 formats t as the API does.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func TestTimelineMergesActivitiesChangesAndOtherServicesEvents(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	now := time.Now().UTC().Truncate(time.Second)
	account := e.created(u, "/v1/accounts", map[string]any{"name": "Acme"})
	contact := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "accountId": account})
	note := e.logActivity(u, map[string]any{"type": "note", "contactId": contact, "subject": "First chat",
		"occurredAt": rfc3339(now.Add(-3 * time.Hour))})
	call := e.logActivity(u, map[string]any{"type": "call", "contactId": contact,
		"call": map[string]any{"direction": "outbound", "startedAt": rfc3339(now.Add(-2 * time.Hour)), "durationSeconds": 60}})
	e.want(e.do(u, "PATCH", "/v1/contacts/"+contact, map[string]any{"jobTitle": "CTO"}, "If-Match", `"1"`), http.StatusOK)

	// Sales: an event type the timeline does not show, a payload naming the
	// contact by a number, a contact the tenant does not have — each
	// skipped — then an opportunity won, an hour ago, naming the contact
	// and the account. Support: a case opened four hours ago.
	opp := uuid.NewString()
	e.publishForeign("sales", "dev.rapport.sales.opportunity.updated.v1", opp, u.tenant, now, map[string]any{"contactId": contact})
	e.publishForeign("sales", "dev.rapport.sales.opportunity.won.v1", opp, u.tenant, now, map[string]any{"contactId": 42})
	e.publishForeign("sales", "dev.rapport.sales.opportunity.won.v1", opp, u.tenant, now, map[string]any{"contactId": uuid.NewString()})
	won := e.publishForeign("sales", "dev.rapport.sales.opportunity.won.v1", opp, u.tenant, now.Add(-time.Hour),
		map[string]any{"contactId": contact, "accountId": account, "name": "Big deal", "amount": map[string]any{"minor": 1200000, "currency": "EUR"}})
	caseID := uuid.NewString()
	opened := e.publishForeign("support", "dev.rapport.support.case.created.v1", caseID, u.tenant, now.Add(-4*time.Hour),
		map[string]any{"contactId": contact, "subject": "Printer on fire"})

	e.waitEntry(u, "/v1/contacts/"+contact+"/timeline", opened)
	page := e.waitEntry(u, "/v1/contacts/"+contact+"/timeline", won)
	want := []string{timeline.TypeUpdated, timeline.TypeCreated, "sales.opportunity.won", "call", "note", "support.case.created"}
	if got := typesOf(page.Items); !slices.Equal(got, want) || page.NextCursor != "" {
		t.Fatalf("contact's timeline: %v (next %q), want %v", got, page.NextCursor, want)
	}
	if up := page.Items[0]; !slices.Equal(up.Changed, []string{"jobTitle"}) || up.Actor != u.id || up.RecordID != contact ||
		up.Summary != "Contact updated: jobTitle" || up.Category != timeline.CategoryRecord {
		t.Errorf("update entry %+v", up)
	}
	if c := page.Items[1]; c.ID != contact || c.RecordID != contact {
		t.Errorf("creation entry %+v", c)
	}
	w := entryOf(t, page, won)
	if w.Summary != "Opportunity won: Big deal" || w.Category != "sales" || !w.At.Equal(now.Add(-time.Hour)) || w.RecordID != contact ||
		w.Event == nil || w.Event.Type != "dev.rapport.sales.opportunity.won.v1" || w.Event.Source != "/rapport/sales" ||
		w.Event.Related == nil || *w.Event.Related != (activities.Ref{Service: "sales", Type: "opportunity", ID: opp}) {
		t.Errorf("won entry %+v %+v", w, w.Event)
	}
	if c := entryOf(t, page, call.ID); c.Activity == nil || c.Activity.ID != call.ID || c.Summary != "Outbound call" || c.Actor != u.id {
		t.Errorf("call entry %+v", c)
	}
	if n := entryOf(t, page, note.ID); n.Summary != "First chat" || n.Category != timeline.CategoryActivity {
		t.Errorf("note entry %+v", n)
	}
	if o := entryOf(t, page, opened); o.Summary != "Case opened: Printer on fire" || o.Category != "support" {
		t.Errorf("case entry %+v", o)
	}

	// The account's: its creation, the won opportunity, the call and the
	// note (on the contact's account); the contact's changes are not the
	// account's.
	page = e.timelineOf(u, "/v1/accounts/"+account+"/timeline")
	if got := typesOf(page.Items); !slices.Equal(got, []string{timeline.TypeCreated, "sales.opportunity.won", "call", "note"}) {
		t.Errorf("account's timeline: %v", got)
	}

	// lastActivityAt went forward to the won opportunity, not back to the case.
	for _, path := range []string{"/v1/contacts/" + contact, "/v1/accounts/" + account} {
		if got := e.lastActivity(u, path); got != rfc3339(now.Add(-time.Hour)) {
			t.Errorf("%s lastActivityAt = %q, want %s", path, got, rfc3339(now.Add(-time.Hour)))
		}
	}

	// Each skipped event is counted: the sales partition is in order, so
	// all were handled before the won opportunity.
	metrics := string(e.raw(user{}, "GET", "/metrics").Raw)
	for _, line := range []string{
		`rapport_timeline_events_total{context="sales",outcome="unknown_type"} 1`,
		`rapport_timeline_events_total{context="sales",outcome="malformed"} 1`,
		`rapport_timeline_events_total{context="sales",outcome="no_record"} 1`,
		`rapport_timeline_events_total{context="sales",outcome="recorded"} 1`,
		`rapport_timeline_events_total{context="support",outcome="recorded"} 1`,
		`rapport_consumer_topic_missing{group="contacts-timeline",service="contacts",topic="rapport.marketing.v1"} 1`,
	} {
		if !strings.Contains(metrics, line) {
			t.Errorf("/metrics lacks %s", line)
		}
	}
}

// The marketing topic does not exist when the service starts (the
// harness leaves it out): the timeline consumes sales and support
// meanwhile, and marketing's events once the topic is created.
func TestTimelineConsumesATopicCreatedLater(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	contact := e.created(u, "/v1/contacts", map[string]any{"firstName": "Grace"})
	won := e.publishForeign("sales", "dev.rapport.sales.opportunity.won.v1", uuid.NewString(), u.tenant, time.Now(),
		map[string]any{"contactId": contact})
	e.waitEntry(u, "/v1/contacts/"+contact+"/timeline", won)

	topic := registry.MustTopic("", registry.Marketing)
	res, err := kadm.NewClient(e.kafka()).CreateTopics(context.Background(), 1, 1, nil, topic, events.DLQ(topic))
	if err == nil {
		err = res.Error()
	}
	if err != nil {
		t.Fatal(err)
	}
	email := uuid.NewString()
	opened := e.publishForeign("marketing", "dev.rapport.marketing.message.opened.v1", email, u.tenant, time.Now(),
		map[string]any{"contactId": contact, "subject": "Spring offer"})
	page := e.waitEntry(u, "/v1/contacts/"+contact+"/timeline", opened)
	if o := entryOf(t, page, opened); o.Summary != "Marketing message opened: Spring offer" || o.Category != "marketing" {
		t.Errorf("marketing entry %+v", o)
	}
}
