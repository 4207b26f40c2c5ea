package contacts_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/internal/pgstore"
	"github.com/rapport-crm/rapport/services/contacts/records"
)

// journeyUpdate returns a journey.contact_updated of tenant naming
// contact, with change (addTags, removeTags, field, value) as its data.
func journeyUpdate(t *testing.T, tenant, contact string, change map[string]any) events.Event {
	t.Helper()
	data := map[string]any{"journeyId": uuid.NewString(), "contactId": contact, "enrolmentId": uuid.NewString(),
		"stepId": "update", "at": time.Now().UTC()}
	for k, v := range change {
		data[k] = v
	}
	ev, err := events.New("/rapport/marketing", records.TypeJourneyContactUpdated, contact, tenant, data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// publishMarketing publishes evs, in order, to marketing's topic.
func (e *env) publishMarketing(evs ...events.Event) {
	e.t.Helper()
	pub := events.NewPublisher(e.brokers)
	defer pub.Close()
	for _, ev := range evs {
		testkit.Eventually(e.t, 30*time.Second, "event published to marketing", func() (bool, string) {
			err := pub.Publish(e.t.Context(), ev.Message(registry.MustTopic("", registry.Marketing)))
			return err == nil, fmt.Sprint(err)
		})
	}
}

// A journey's update steps change the contact through its update path:
// tags removed (any case) and added (a new tag created), a field, the
// address's city and a custom field set (its value read as the field's
// type), each one contact.updated by marketing, also for a contact merged
// into it. A value the contact's rules refuse (an option the custom field
// lacks, an unknown lifecycle stage), an event that does not parse and one
// of another tenant change nothing; a redelivered event is applied once.
func TestJourneyUpdatesChangeTheContact(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	e.created(u, "/v1/custom-fields", map[string]any{"entity": "contact", "key": "tier", "label": "Tier",
		"type": "singleSelect", "options": []string{"gold", "silver"}})
	e.created(u, "/v1/custom-fields", map[string]any{"entity": "contact", "key": "score", "label": "Score", "type": "number"})
	id := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace", "tags": []string{"VIP", "Partner"},
		"customFields": map[string]any{"tier": "silver"}})
	loser := e.created(u, "/v1/contacts", map[string]any{"firstName": "Augusta", "lastName": "King"})
	e.want(e.do(u, "POST", "/v1/contacts/"+id+"/merge", map[string]any{"loserId": loser}, "If-Match", `"1"`), http.StatusOK)
	stranger := e.created(other, "/v1/contacts", map[string]any{"firstName": "Grace"})
	e.createMarketingTopic()

	addTrial := journeyUpdate(t, u.tenant, id, map[string]any{"addTags": []string{"Trial"}, "removeTags": []string{"vip"}})
	bad, err := events.New("/rapport/marketing", records.TypeJourneyContactUpdated, id, u.tenant, map[string]any{"contactId": 42})
	if err != nil {
		t.Fatal(err)
	}
	evs := []events.Event{
		addTrial,
		journeyUpdate(t, u.tenant, id, map[string]any{"removeTags": []string{"TRIAL"}}),
		addTrial, // redelivered: Trial stays removed
		journeyUpdate(t, u.tenant, id, map[string]any{"field": "jobTitle", "value": "Mathematician"}),
		journeyUpdate(t, u.tenant, id, map[string]any{"field": "city", "value": "London"}),
		journeyUpdate(t, u.tenant, id, map[string]any{"field": "customFields.tier", "value": "gold"}),
		journeyUpdate(t, u.tenant, id, map[string]any{"field": "customFields.score", "value": "42"}),
		journeyUpdate(t, u.tenant, id, map[string]any{"field": "customFields.tier", "value": "bronze"}),
		journeyUpdate(t, u.tenant, id, map[string]any{"field": "lifecycleStage", "value": "prospect"}),
		journeyUpdate(t, u.tenant, id, map[string]any{"field": "nickname", "value": "Ada"}),
		bad,
		journeyUpdate(t, other.tenant, id, map[string]any{"addTags": []string{"Intruder"}}),
		journeyUpdate(t, u.tenant, stranger, map[string]any{"field": "firstName", "value": "Intruder"}),
		journeyUpdate(t, u.tenant, loser, map[string]any{"addTags": []string{"Merged"}}),
		journeyUpdate(t, u.tenant, id, map[string]any{"field": "lifecycleStage", "value": "lead"}),
	}
	e.publishMarketing(evs...)
	distinct := len(evs) - 1
	testkit.Eventually(t, 60*time.Second, "every journey update consumed", func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE consumer_group = $1", records.JourneyUpdatesGroup); err != nil {
			t.Fatal(err)
		}
		return n == distinct, fmt.Sprintf("%d of %d in the inbox", n, distinct)
	})

	c := contracttest.Decode[customer.Contact](e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK))
	tags := slices.Sorted(slices.Values(c.Tags))
	if !slices.Equal(tags, []string{"Merged", "Partner"}) {
		t.Errorf("tags %v, want Merged and Partner", c.Tags)
	}
	if c.JobTitle != "Mathematician" || c.Address == nil || c.Address.City != "London" || c.LifecycleStage != "lead" || c.FirstName != "Ada" {
		t.Errorf("fields: job title %q, address %+v, lifecycle stage %q, first name %q", c.JobTitle, c.Address, c.LifecycleStage, c.FirstName)
	}
	if got := fmt.Sprint(c.CustomFields["tier"], " ", c.CustomFields["score"]); got != "gold 42" {
		t.Errorf("custom fields %v", c.CustomFields)
	}
	s := contracttest.Decode[customer.Contact](e.want(e.do(other, "GET", "/v1/contacts/"+stranger, nil), http.StatusOK))
	if s.FirstName != "Grace" || s.Version != 1 {
		t.Errorf("the other tenant's contact changed: %+v", s)
	}

	var updates []string
	for _, p := range e.published() {
		if p.typ == "dev.rapport.contacts.contact.updated.v1" && p.subject == id {
			updates = append(updates, fmt.Sprint(p.state().Changed))
		}
	}
	want := []string{"[tags]", "[tags]", "[jobTitle]", "[address]", "[customFields]", "[customFields]", "[tags]", "[lifecycleStage]"}
	if !slices.Equal(updates, want) {
		t.Errorf("contact.updated changed\n%v\nwant\n%v", updates, want)
	}
	var actors []string
	if err := e.admin.Select(&actors, "SELECT DISTINCT actor FROM timeline_entries WHERE record_id = $1 AND type = $2",
		id, pgstore.ChangePrefix+customer.VerbUpdated); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(actors, []string{"marketing"}) {
		t.Errorf("the updates' actors %v, want marketing", actors)
	}
}
