package reporting_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
)

// campaign is a campaign as marketing's campaign.* events carry it. Cost
// and Budget are decimal strings in Currency ("" leaves them out); Type
// defaults to email, Status to active, Version to 1, Created to
// 2026-01-01.
type campaign struct {
	ID, Name, Type, Owner, Status, Cost, Budget, Currency string
	Created                                               time.Time
	Version                                               int
}

// fxEpoch is the time a fixture without one is made at.
var fxEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fxTime returns t, or fxEpoch when t is zero.
func fxTime(t time.Time) time.Time {
	if t.IsZero() {
		return fxEpoch
	}
	return t.UTC()
}

// fxOr returns s, or def when s is "".
func fxOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fxOne returns n, or 1 when n is 0.
func fxOne(n int) int {
	if n == 0 {
		return 1
	}
	return n
}

// fxEvent is an event a fixture publishes: its type, subject, time
// and payload.
type fxEvent struct {
	typ, subject string
	at           time.Time
	data         map[string]any
}

// event returns f as an event of tenant from source.
func (f fxEvent) event(t testing.TB, source, tenant string) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/"+source, f.typ, f.subject, tenant, f.data)
	if err != nil {
		t.Fatal(err)
	}
	ev.Time = f.at
	return ev
}

// campaignEvent returns the campaign.<verb> event (created, updated,
// deleted) of c, made at c.Created.
func campaignEvent(verb string, c campaign) fxEvent {
	at := fxTime(c.Created)
	data := map[string]any{
		"id": c.ID, "name": fxOr(c.Name, "Campaign"), "type": fxOr(c.Type, "email"), "status": fxOr(c.Status, "active"),
		"description": "", "ownerId": c.Owner, "createdBy": fxOr(c.Owner, "creator"),
		"createdAt": at, "updatedAt": at, "version": fxOne(c.Version),
	}
	if c.Budget != "" {
		data["budget"] = map[string]any{"amount": c.Budget, "currency": fxOr(c.Currency, "USD")}
	}
	if c.Cost != "" {
		data["actualCost"] = map[string]any{"amount": c.Cost, "currency": fxOr(c.Currency, "USD")}
	}
	if verb == "updated" {
		data["changed"] = []string{"status"}
	}
	return fxEvent{typ: "dev.rapport.marketing.campaign." + verb + ".v1", subject: c.ID, at: at, data: data}
}

// touchEvent returns the event of a contact's touch of a campaign at at:
// kind sent, opened or clicked is message.<kind> (which always names a
// contact), form is form.submitted, responded is campaign.responded
// (which names both). contact or campaignID "" leaves it out where the
// schema allows.
func touchEvent(t testing.TB, kind, contact, campaignID string, at time.Time) fxEvent {
	t.Helper()
	at = fxTime(at)
	id := uuid.NewString()
	data := map[string]any{}
	if contact != "" {
		data["contactId"] = contact
	}
	if campaignID != "" {
		data["campaignId"] = campaignID
	}
	switch kind {
	case "sent", "opened", "clicked":
		if contact == "" {
			t.Fatalf("touch %s: a message always names its contact", kind)
		}
		data["id"], data["sendId"], data["channel"], data["address"] = id, uuid.NewString(), "email", "someone@example.com"
		switch kind {
		case "sent":
			data["variant"], data["sentAt"] = "", at
		case "opened":
			data["at"] = at
		default:
			data["at"], data["url"] = at, "https://example.com/offer?utm_source=rapport"
		}
		return fxEvent{typ: "dev.rapport.marketing.message." + kind + ".v1", subject: id, at: at, data: data}
	case "form":
		for k, v := range map[string]any{"id": id, "formId": uuid.NewString(), "firstName": "Ada", "lastName": "Lovelace",
			"company": "Analytical", "title": "", "email": "ada@example.com", "phone": "", "consent": false,
			"fields": map[string]any{}, "submittedAt": at, "source": "web form"} {
			data[k] = v
		}
		return fxEvent{typ: "dev.rapport.marketing.form.submitted.v1", subject: id, at: at, data: data}
	case "responded":
		for k, v := range map[string]any{"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "phone": "",
			"company": "Analytical", "title": "", "respondedAt": at} {
			data[k] = v
		}
		return fxEvent{typ: "dev.rapport.marketing.campaign.responded.v1", subject: campaignID, at: at, data: data}
	}
	t.Fatalf("touch kind %q: want sent, opened, clicked, form or responded", kind)
	return fxEvent{}
}

// publishCampaign publishes marketing's campaign.<verb> (created, updated,
// deleted) of c in tenant and returns the event's id.
func (e *env) publishCampaign(tenant, verb string, c campaign) string {
	e.t.Helper()
	return e.fxPublish(registry.Marketing, tenant, campaignEvent(verb, c))
}

// publishTouch publishes a contact's touch of a campaign at at in tenant
// (touchEvent: sent, opened, clicked, form or responded) and returns the
// event's id.
func (e *env) publishTouch(tenant, kind, contact, campaignID string, at time.Time) string {
	e.t.Helper()
	return e.fxPublish(registry.Marketing, tenant, touchEvent(e.t, kind, contact, campaignID, at))
}

// fxPublish publishes f in tenant to source's topic and returns the
// event's id.
func (e *env) fxPublish(source, tenant string, f fxEvent) string {
	e.t.Helper()
	return e.publish(source, tenant, f.typ, f.subject, f.at, f.data)
}

// TestIngestMarketingFixturesMatchSchemas checks that every payload the
// marketing fixtures publish is valid against marketing's schema of its
// type.
func TestIngestMarketingFixturesMatchSchemas(t *testing.T) {
	tenant, c := uuid.NewString(), uuid.NewString()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	fs := []fxEvent{
		campaignEvent("created", campaign{ID: c}),
		campaignEvent("updated", campaign{ID: c, Name: "Spring", Type: "webinar", Owner: "u1", Status: "completed",
			Cost: "1234.50", Budget: "2000", Currency: "EUR", Created: at, Version: 2}),
		campaignEvent("deleted", campaign{ID: c, Version: 3}),
	}
	for _, kind := range []string{"sent", "opened", "clicked", "form", "responded"} {
		fs = append(fs, touchEvent(t, kind, uuid.NewString(), c, at))
	}
	fs = append(fs, touchEvent(t, "sent", uuid.NewString(), "", at), touchEvent(t, "form", "", "", at))
	var evs []events.Event
	for _, f := range fs {
		evs = append(evs, f.event(t, registry.Marketing, tenant))
	}
	fxValidate(t, "../marketing/api/events", evs, 8)
}

// fxValidate checks evs against the schemas in dir and that they
// are of at least types distinct types.
func fxValidate(t *testing.T, dir string, evs []events.Event, types int) {
	t.Helper()
	seen := map[string]bool{}
	for _, ev := range evs {
		seen[ev.Type] = true
	}
	if len(seen) < types {
		t.Fatalf("fixtures of %d types, want %d: %v", len(seen), types, seen)
	}
	contracttest.ValidateEvents(t, dir, evs)
}
