package sales_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// contactMerged is a contact.merged of tenant as contacts publishes it:
// loser merged into winner, whose full state it carries.
func contactMerged(t *testing.T, tenant, winner, loser string) events.Event {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	return contactsEvent(t, contactevents.TypeContactMerged, winner, tenant, map[string]any{
		"winner": map[string]any{"id": winner, "ownerId": "user-1", "tags": []string{}, "customFields": map[string]any{},
			"createdAt": now, "updatedAt": now, "version": 3, "displayName": "Ada Lovelace", "firstName": "Ada", "lastName": "Lovelace",
			"emails": []any{}, "phones": []any{}},
		"loserId": loser, "mergedFields": []string{"phones"}})
}

// accountMerged is an account.merged of tenant: loser merged into winner.
func accountMerged(t *testing.T, tenant, winner, loser string) events.Event {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	return contactsEvent(t, contactevents.TypeAccountMerged, winner, tenant, map[string]any{
		"winner": map[string]any{"id": winner, "ownerId": "user-1", "tags": []string{}, "customFields": map[string]any{},
			"createdAt": now, "updatedAt": now, "version": 2, "name": "Acme"},
		"loserId": loser, "mergedFields": []string{}})
}

// contactErased is a contact.erased of tenant.
func contactErased(t *testing.T, tenant, id string) events.Event {
	return contactsEvent(t, contactevents.TypeContactErased, id, tenant, map[string]any{
		"id": id, "tenant": tenant, "erasedAt": time.Now().UTC().Format(time.RFC3339Nano), "erasedBy": "user-1"})
}

// readOpportunity reads the opportunity id as u, deleted or not.
func readOpportunity(e *env, u user, id string) deals.Opportunity {
	e.t.Helper()
	return contracttest.Decode[deals.Opportunity](e.want(e.do(u, "GET", "/v1/opportunities/"+id, nil), http.StatusOK))
}

// roles renders an opportunity's contact roles as contact:role.
func roles(o deals.Opportunity) []string {
	var out []string
	for _, r := range o.ContactRoles {
		out = append(out, r.ContactID+":"+r.Role)
	}
	return out
}

// The contacts service's merges re-point opportunities and its erasures
// remove the person from them, each opportunity changed publishing
// opportunity.updated; another tenant's opportunities naming the same ids
// stay as they are.
func TestContactsMergesAndErasuresReachOpportunities(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	loser, winner, kept, gone := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	accLoser, accWinner := uuid.NewString(), uuid.NewString()
	role := func(id, r string) map[string]any { return map[string]any{"contactId": id, "role": r} }
	o1 := createOpportunity(e, u, map[string]any{"name": "One", "accountId": accLoser, "primaryContactId": loser,
		"contactRoles": []any{role(loser, "Decision maker"), role(winner, "Champion")}})
	o2 := createOpportunity(e, u, map[string]any{"name": "Two", "accountId": accWinner, "primaryContactId": kept,
		"contactRoles": []any{role(kept, "Buyer"), role(loser, "User")}})
	o3 := createOpportunity(e, u, map[string]any{"name": "Three", "accountId": accLoser, "primaryContactId": gone,
		"contactRoles": []any{role(gone, "Buyer"), role(kept, "User")}})
	deleted := createOpportunity(e, u, map[string]any{"name": "Deleted", "primaryContactId": loser})
	e.want(e.do(u, "DELETE", "/v1/opportunities/"+deleted.ID, nil, "If-Match", kitx.ETag(1)), http.StatusNoContent)
	theirs := createOpportunity(e, other, map[string]any{"name": "Theirs", "accountId": accLoser, "primaryContactId": loser,
		"contactRoles": []any{role(gone, "Buyer")}})

	evs := []events.Event{contactMerged(t, u.tenant, winner, loser), accountMerged(t, u.tenant, accWinner, accLoser), contactErased(t, u.tenant, gone)}
	contracttest.ValidateEvents(t, "../contacts/api/events", evs)
	e.send(registry.Contacts, evs...)
	e.waitInbox(evs[2].ID)

	got := readOpportunity(e, u, o1.ID)
	if got.PrimaryContactID != winner || !slices.Equal(roles(got), []string{winner + ":Champion"}) || got.AccountID != accWinner || got.Version != 3 {
		t.Errorf("one: primary %s, roles %v, account %s, version %d", got.PrimaryContactID, roles(got), got.AccountID, got.Version)
	}
	got = readOpportunity(e, u, o2.ID)
	if got.PrimaryContactID != kept || !slices.Equal(roles(got), []string{kept + ":Buyer", winner + ":User"}) || got.AccountID != accWinner || got.Version != 2 {
		t.Errorf("two: primary %s, roles %v, account %s, version %d", got.PrimaryContactID, roles(got), got.AccountID, got.Version)
	}
	got = readOpportunity(e, u, o3.ID)
	if got.PrimaryContactID != "" || !slices.Equal(roles(got), []string{kept + ":User"}) || got.AccountID != accWinner || got.Name != "Three" || got.Version != 3 {
		t.Errorf("three: primary %q, roles %v, account %s, version %d", got.PrimaryContactID, roles(got), got.AccountID, got.Version)
	}
	if got := readOpportunity(e, u, deleted.ID); got.PrimaryContactID != winner || got.DeletedAt == nil {
		t.Errorf("deleted: primary %s, deletedAt %v", got.PrimaryContactID, got.DeletedAt)
	}
	if got := readOpportunity(e, other, theirs.ID); got.PrimaryContactID != loser || got.AccountID != accLoser || !slices.Equal(roles(got), []string{gone + ":Buyer"}) {
		t.Errorf("another tenant's: primary %s, account %s, roles %v", got.PrimaryContactID, got.AccountID, roles(got))
	}
	for id, want := range map[string][][]string{
		o1.ID: {{"contactRoles", "primaryContactId"}, {"accountId"}},
		o2.ID: {{"contactRoles"}},
		o3.ID: {{"accountId"}, {"contactRoles", "primaryContactId"}},
	} {
		if got := changes(e, "opportunity", id); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("opportunity.updated of %s changed %v, want %v", id, got, want)
		}
	}
	validateEvents(t, e)
}

// An event delivered again (its ce_id) is skipped by the inbox: an
// opportunity naming the loser only since the first delivery keeps it. An
// event of a type sales does not apply is skipped; one whose payload is
// not contacts' goes to the dead-letter topic after its attempts, and the
// events after it are applied.
func TestContactsEventsRedeliveredUnknownAndMalformed(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	loser, winner := uuid.NewString(), uuid.NewString()
	first := createOpportunity(e, u, map[string]any{"name": "First", "primaryContactId": loser})
	merged := contactMerged(t, u.tenant, winner, loser)
	e.send(registry.Contacts, merged)
	e.waitInbox(merged.ID)
	if got := readOpportunity(e, u, first.ID); got.PrimaryContactID != winner || got.Version != 2 {
		t.Fatalf("first delivery: primary %s, version %d", got.PrimaryContactID, got.Version)
	}

	later := createOpportunity(e, u, map[string]any{"name": "Later", "primaryContactId": loser})
	marker := contactErased(t, u.tenant, uuid.NewString())
	e.send(registry.Contacts, merged, marker)
	e.waitInbox(marker.ID)
	if got := readOpportunity(e, u, later.ID); got.PrimaryContactID != loser || got.Version != 1 {
		t.Errorf("the merge applied again: primary %s, version %d", got.PrimaryContactID, got.Version)
	}
	if got := readOpportunity(e, u, first.ID); got.Version != 2 {
		t.Errorf("first at version %d after the redelivery, want 2", got.Version)
	}

	unknown := contactsEvent(t, "dev.rapport.contacts.tag.created.v1", uuid.NewString(), u.tenant, map[string]any{"surprise": true})
	malformed := contactsEvent(t, contactevents.TypeContactMerged, winner, u.tenant, map[string]any{"winner": map[string]any{"id": "nope"}, "loserId": later.ID})
	after := contactErased(t, u.tenant, loser)
	e.send(registry.Contacts, unknown, malformed, after)
	e.waitInbox(after.ID)
	if got := readOpportunity(e, u, later.ID); got.PrimaryContactID != "" {
		t.Errorf("the erasure after the malformed event: primary %s", got.PrimaryContactID)
	}
	dead := testkit.ReadTopic(t, e.brokers, events.DLQ(registry.MustTopic("", registry.Contacts)), 1, 30*time.Second)
	if len(dead) != 1 {
		t.Fatalf("%d dead-lettered records, want 1", len(dead))
	}
	headers := map[string]string{}
	for _, h := range dead[0].Headers {
		headers[h.Key] = string(h.Value)
	}
	if headers[events.HeaderID] != malformed.ID || headers[events.HeaderAttempts] != "5" || headers[events.HeaderError] == "" {
		t.Errorf("dead-lettered %v, want the malformed event %s after 5 attempts", headers, malformed.ID)
	}
	var n int
	if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE id = $1", unknown.ID); err != nil || n != 1 {
		t.Errorf("the unknown event in the inbox %d times (%v), want once: skipped", n, err)
	}
	validateEvents(t, e)
}
