package marketing_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	attrmodels "github.com/rapport-crm/rapport/libs/attribution"
	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/marketing/attribution"
)

// attrContactsEvent is an event of contacts of type typ on subject of
// tenant.
func attrContactsEvent(t *testing.T, typ, subject, tenant string, data any) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/contacts", typ, subject, tenant, data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// attrTouchKinds is the kind and campaign (by name) of each touch of the
// contact id u sees.
func attrTouchKinds(e *env, u user, id string, names map[string]string) []string {
	e.t.Helper()
	page := contracttest.Decode[attribution.TouchPage](e.want(e.do(u, "GET", "/v1/attribution/contacts/"+id+"/touches", nil), http.StatusOK))
	var out []string
	for _, tc := range page.Items {
		out = append(out, tc.Kind+" "+names[tc.CampaignID])
	}
	return out
}

// TestAttributionFollowsContactMerges: a contact merged into another
// brings its touches to the winner, whose won opportunity is credited
// again with them; the winner erased loses its touches, and the
// opportunity its credits.
func TestAttributionFollowsContactMerges(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	winner, loser := uuid.NewString(), uuid.NewString()
	a, b := uuid.NewString(), uuid.NewString()
	names := map[string]string{a: "A", b: "B"}
	closed := time.Now().UTC().Truncate(time.Second).Add(-attrDay)
	e.attrTouches(
		attrMessage(t, u.tenant, "sent", a, loser, closed.Add(-10*attrDay)),
		attrMessage(t, u.tenant, "clicked", b, winner, closed.Add(-5*attrDay)),
	)
	opp := attrOpp{id: uuid.NewString(), status: "won", primary: winner, roles: []string{loser}, minor: 100000,
		created: closed.Add(-20 * attrDay), closed: closed, version: 3}
	e.attrSales(opp.event(t, u.tenant, "won"))
	if got, _ := attrWon(e.attrReport(u, "model=first_touch")[a]); !slices.Equal(got, []string{"1000.00 EUR"}) {
		t.Fatalf("before the merge, by its contact role: A won %v", got)
	}

	// The loser, a contact role, merged into the primary contact: its touch
	// is the winner's, and the opportunity names the winner once.
	now := time.Now().UTC().Format(time.RFC3339)
	e.attrPublish(registry.Contacts, attribution.ContactsGroup, attrContactsEvent(t, contactevents.TypeContactMerged, winner, u.tenant,
		map[string]any{"winner": map[string]any{"id": winner, "ownerId": "user-1", "tags": []string{}, "customFields": map[string]any{},
			"createdAt": now, "updatedAt": now, "version": 3, "displayName": "Ada Lovelace", "emails": []any{}, "phones": []any{}},
			"loserId": loser, "mergedFields": []string{}}))
	if got := attrTouchKinds(e, u, winner, names); !slices.Equal(got, []string{"sent A", "clicked B"}) {
		t.Errorf("the winner's touches after the merge: %v", got)
	}
	if got := attrTouchKinds(e, u, loser, names); len(got) != 0 {
		t.Errorf("the loser keeps touches: %v", got)
	}
	linear := e.attrReport(u, "model=linear")
	for name, campaign := range map[string]string{"A": a, "B": b} {
		if got, n := attrWon(linear[campaign]); !slices.Equal(got, []string{"500.00 EUR"}) || n != 1 {
			t.Errorf("after the merge, linear: %s won %v over %d, want 500.00 EUR over 1 (one contact, two touches)", name, got, n)
		}
	}

	// The winner erased: no touch of theirs is left, nor any credit.
	e.attrPublish(registry.Contacts, attribution.ContactsGroup, attrContactsEvent(t, contactevents.TypeContactErased, winner, u.tenant,
		map[string]any{"id": winner, "tenant": u.tenant, "erasedAt": now, "erasedBy": "user-1"}))
	if got := attrTouchKinds(e, u, winner, names); len(got) != 0 {
		t.Errorf("the erased contact's touches: %v", got)
	}
	for _, model := range attrmodels.Models {
		report := e.attrReport(u, "model="+model)
		for name, campaign := range map[string]string{"A": a, "B": b} {
			attrCheck(t, report, "erased: "+model+", "+name, campaign, nil, 0)
		}
	}
}
