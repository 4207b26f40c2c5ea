package marketing_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/audience"
)

// contactsSchemas are contacts' event schemas: the events these tests send
// are checked against them, so they are the events contacts publishes.
const contactsSchemas = "../contacts/api/events"

// person is a contact as these tests describe it; contactState makes its
// full state as contacts' events carry it.
type person struct {
	id, first, last, email, stage, country string
	version                                int
	tags                                   []string
	custom                                 map[string]any
	emailConsent                           string
}

// state is p's full state as contacts' events carry it.
func (p person) state() map[string]any {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	emails := []map[string]any{}
	if p.email != "" {
		emails = append(emails, map[string]any{"address": p.email, "primary": true})
	}
	tags, custom := p.tags, p.custom
	if tags == nil {
		tags = []string{}
	}
	if custom == nil {
		custom = map[string]any{}
	}
	c := map[string]any{"id": p.id, "ownerId": "user-1", "tags": tags, "customFields": custom, "createdAt": now, "updatedAt": now,
		"version": p.version, "displayName": p.first + " " + p.last, "firstName": p.first, "lastName": p.last, "emails": emails,
		"phones": []any{}}
	if p.stage != "" {
		c["lifecycleStage"] = p.stage
	}
	if p.country != "" {
		c["address"] = map[string]any{"country": p.country, "city": "Paris"}
	}
	if p.emailConsent != "" {
		c["consent"] = map[string]any{"email": map[string]any{"status": p.emailConsent}}
	}
	return c
}

// contactEvent is contact.<verb> (created, updated, deleted, restored) of
// tenant carrying p's state.
func contactEvent(t *testing.T, verb, tenant string, p person) events.Event {
	t.Helper()
	state := p.state()
	switch verb {
	case "updated":
		state["changed"] = []string{"firstName"}
	case "deleted":
		state["deletedAt"] = state["updatedAt"]
	}
	return contactsEventOf(t, "dev.rapport.contacts.contact."+verb+".v1", p.id, tenant, state)
}

// mergeEvent is contact.merged of tenant: winner's state, loser merged into it.
func mergeEvent(t *testing.T, tenant string, winner person, loser string) events.Event {
	t.Helper()
	return contactsEventOf(t, "dev.rapport.contacts.contact.merged.v1", winner.id, tenant,
		map[string]any{"winner": winner.state(), "loserId": loser, "mergedFields": []string{}})
}

// eraseEvent is contact.erased of tenant.
func eraseEvent(t *testing.T, tenant, id string) events.Event {
	t.Helper()
	return contactsEventOf(t, "dev.rapport.contacts.contact.erased.v1", id, tenant,
		map[string]any{"id": id, "tenant": tenant, "erasedAt": time.Now().UTC().Format(time.RFC3339Nano), "erasedBy": "user-1"})
}

// contactsEventOf is an event of tenant as the contacts service publishes
// it: of type typ, on subject.
func contactsEventOf(t *testing.T, typ, subject, tenant string, payload any) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/contacts", typ, subject, tenant, payload)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// sendContacts checks evs against contacts' schemas, publishes them to
// contacts' topic and waits until the audience applied them.
func (e *env) sendContacts(evs ...events.Event) {
	e.t.Helper()
	contracttest.ValidateEvents(e.t, contactsSchemas, evs)
	e.sendEvents(registry.Contacts, audience.ProjectionGroup, evs...)
}

// sendFacts publishes evs (the service's own events, as another context
// of it would) to the service's topic and waits until the audience's
// facts consumer took them.
func (e *env) sendFacts(evs ...events.Event) {
	e.t.Helper()
	e.sendEvents(registry.Marketing, audience.FactsGroup, evs...)
}

// sendEvents publishes evs to context's topic and waits until group
// consumed each.
func (e *env) sendEvents(context, group string, evs ...events.Event) {
	e.t.Helper()
	pub := events.NewPublisher(e.brokers)
	defer pub.Close()
	for _, ev := range evs {
		if err := pub.Publish(e.t.Context(), ev.Message(registry.MustTopic("", context))); err != nil {
			e.t.Fatal(err)
		}
	}
	for _, ev := range evs {
		testkit.Eventually(e.t, 45*time.Second, "event "+ev.ID+" consumed", func() (bool, string) {
			var n int
			if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE id = $1 AND consumer_group = $2", ev.ID, group); err != nil {
				e.t.Fatal(err)
			}
			return n == 1, ""
		})
	}
}

// marketingEvent is an event of tenant on the service's own topic, as
// another of its contexts publishes it.
func marketingEvent(t *testing.T, entity, verb, subject, tenant string, payload any) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/marketing", "dev.rapport.marketing."+entity+"."+verb+".v1", subject, tenant, payload)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// segmentBody is a segment as the API returns it.
type segmentBody struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	MemberCount int64  `json:"memberCount"`
	Version     int64  `json:"version"`
}

// audienceBody is an audience contact as the API returns it.
type audienceBody struct {
	ID             string         `json:"id"`
	FirstName      string         `json:"firstName"`
	Email          string         `json:"email"`
	LifecycleStage string         `json:"lifecycleStage"`
	EmailConsent   string         `json:"emailConsent"`
	Tags           []string       `json:"tags"`
	CustomFields   map[string]any `json:"customFields"`
	LastOpenedAt   *time.Time     `json:"lastOpenedAt"`
	CampaignIDs    []string       `json:"campaignIds"`
	Version        int64          `json:"version"`
}

// page is a page of a list.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor"`
}

// createSegment creates a segment as u and returns it.
func (e *env) createSegment(u user, body map[string]any) segmentBody {
	e.t.Helper()
	return contracttest.Decode[segmentBody](e.want(e.do(u, "POST", "/v1/segments", body), 201))
}

// members returns the ids of the segment's members, read as u, sorted.
func (e *env) members(u user, segment string) []string {
	e.t.Helper()
	var out []string
	for _, c := range contracttest.Decode[page[audienceBody]](e.want(e.do(u, "GET", "/v1/segments/"+segment+"/members?limit=200", nil), 200)).Items {
		out = append(out, c.ID)
	}
	slices.Sort(out)
	return out
}

// wantMembers fails the test unless the segment's members, read as u,
// are want, and its count and memberCount say so.
func (e *env) wantMembers(u user, segment, what string, want ...string) {
	e.t.Helper()
	slices.Sort(want)
	if got := e.members(u, segment); !slices.Equal(got, want) {
		e.t.Errorf("%s: members %v, want %v", what, got, want)
	}
	count := contracttest.Decode[struct {
		Count int64 `json:"count"`
	}](e.want(e.do(u, "GET", "/v1/segments/"+segment+"/count", nil), 200))
	seg := contracttest.Decode[segmentBody](e.want(e.do(u, "GET", "/v1/segments/"+segment, nil), 200))
	if count.Count != int64(len(want)) || seg.MemberCount != int64(len(want)) {
		e.t.Errorf("%s: count %d, memberCount %d, want %d", what, count.Count, seg.MemberCount, len(want))
	}
}

// memberships returns what the service published of segment's
// memberships: "entered <contact>" or "left <contact>", in order.
func (e *env) memberships(segment string) []string {
	e.t.Helper()
	var out []string
	for _, ev := range e.published() {
		verb := ""
		switch ev.Type {
		case "dev.rapport.marketing.segment.entered.v1":
			verb = "entered"
		case "dev.rapport.marketing.segment.left.v1":
			verb = "left"
		default:
			continue
		}
		var m audience.Membership
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			e.t.Fatalf("%s %s: %v", ev.Type, ev.ID, err)
		}
		if ev.Subject == segment && m.SegmentID == segment {
			out = append(out, verb+" "+m.ContactID)
		}
	}
	return out
}

// inTenant runs fn in a transaction of tenant on the service's database,
// as the service's role.
func (e *env) inTenant(tenant string, fn func(tx *sqlx.Tx) error) {
	e.t.Helper()
	db := testkit.Open(e.t, e.app)
	if err := pg.WithTenantTx(context.Background(), db, tenant, fn); err != nil {
		e.t.Fatal(err)
	}
}

// urlQuery escapes s for a query string.
func urlQuery(s string) string { return url.QueryEscape(s) }
