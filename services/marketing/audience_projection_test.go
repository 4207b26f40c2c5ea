package marketing_test

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/marketing/audience"
)

// TestAudienceFollowsContacts: the projection follows a contact's
// creation and updates (an event of an earlier version changes nothing),
// its deletion and restoration, a merge (the loser is gone, the winner
// kept) and an erasure (gone for good: a late event does not bring it
// back); another tenant never sees it; LoadContact and MergeFields read
// what it holds.
func TestAudienceFollowsContacts(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	ada := person{id: uuid.NewString(), first: "Ada", last: "Lovelace", email: "Ada@Example.COM", stage: "lead", country: "FR",
		version: 1, tags: []string{"vip"}, custom: map[string]any{"plan": "gold", "seats": 12, "trial": true, "extra": map[string]any{"a": 1}},
		emailConsent: "granted"}
	bo := person{id: uuid.NewString(), first: "Bo", last: "Berg", email: "bo@example.com", version: 1}
	e.sendContacts(contactEvent(t, "created", u.tenant, ada), contactEvent(t, "created", u.tenant, bo))

	got := contracttest.Decode[audienceBody](e.want(e.do(u, "GET", "/v1/audience/contacts/"+ada.id, nil), 200))
	if got.Email != "ada@example.com" || got.FirstName != "Ada" || got.LifecycleStage != "lead" || got.EmailConsent != "granted" ||
		!slices.Equal(got.Tags, []string{"vip"}) || got.CustomFields["plan"] != "gold" || got.Version != 1 {
		t.Errorf("projected %+v", got)
	}
	e.want(e.do(other, "GET", "/v1/audience/contacts/"+ada.id, nil), 404)

	e.inTenant(u.tenant, func(tx *sqlx.Tx) error {
		c, err := audience.LoadContact(t.Context(), tx, ada.id)
		if err != nil {
			return err
		}
		want := map[string]string{"contact.firstName": "Ada", "contact.lastName": "Lovelace", "contact.displayName": "Ada Lovelace",
			"contact.email": "ada@example.com", "contact.city": "Paris", "contact.country": "FR", "contact.customFields.plan": "gold",
			"contact.customFields.seats": "12", "contact.customFields.trial": "true"}
		if fields := c.MergeFields(); !maps.Equal(fields, want) {
			t.Errorf("merge fields %v, want %v", fields, want)
		}
		if _, err := audience.LoadContact(t.Context(), tx, uuid.NewString()); !errors.Is(err, audience.ErrContactNotFound) {
			t.Errorf("an unknown contact: %v, want ErrContactNotFound", err)
		}
		return nil
	})

	ada.first, ada.version = "Augusta", 3
	stale := ada
	stale.first, stale.version = "Stale", 2
	e.sendContacts(contactEvent(t, "updated", u.tenant, ada), contactEvent(t, "updated", u.tenant, stale))
	got = contracttest.Decode[audienceBody](e.want(e.do(u, "GET", "/v1/audience/contacts/"+ada.id, nil), 200))
	if got.FirstName != "Augusta" || got.Version != 3 {
		t.Errorf("after an update and a stale one: %q v%d, want Augusta v3", got.FirstName, got.Version)
	}

	bo.version = 2
	e.sendContacts(contactEvent(t, "deleted", u.tenant, bo))
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+bo.id, nil), 404)
	late := bo
	late.version = 1
	e.sendContacts(contactEvent(t, "updated", u.tenant, late))
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+bo.id, nil), 404)
	bo.version = 3
	e.sendContacts(contactEvent(t, "restored", u.tenant, bo))
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+bo.id, nil), 200)

	ada.version = 4
	e.sendContacts(mergeEvent(t, u.tenant, ada, bo.id))
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+bo.id, nil), 404)
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+ada.id, nil), 200)
	bo.version = 9
	e.sendContacts(contactEvent(t, "updated", u.tenant, bo))
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+bo.id, nil), 404)

	e.sendContacts(eraseEvent(t, u.tenant, ada.id))
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+ada.id, nil), 404)
	ada.version = 10
	e.sendContacts(contactEvent(t, "updated", u.tenant, ada))
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+ada.id, nil), 404)

	list := contracttest.Decode[page[audienceBody]](e.want(e.do(u, "GET", "/v1/audience/contacts", nil), 200))
	if len(list.Items) != 0 {
		t.Errorf("the audience after merge and erasure: %+v, want none", list.Items)
	}
}

// TestAudienceListFilters: the audience's list takes a filter over its
// fields and custom fields, pages with a cursor, and names a bad filter's
// node.
func TestAudienceListFilters(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	var leads []string
	for i := range 5 {
		p := person{id: uuid.NewString(), first: "P", last: "Q", email: uuid.NewString() + "@example.com", stage: "customer", version: 1,
			custom: map[string]any{"plan": "silver"}}
		if i%2 == 0 {
			p.stage, p.custom = "lead", map[string]any{"plan": "gold"}
			leads = append(leads, p.id)
		}
		e.sendContacts(contactEvent(t, "created", u.tenant, p))
	}
	slices.Sort(leads)
	filter := `{"and":[{"field":"lifecycleStage","op":"eq","value":"lead"},{"field":"customFields.plan","op":"eq","value":"gold"}]}`
	var got []string
	cursor := ""
	for {
		path := "/v1/audience/contacts?limit=2&filter=" + urlQuery(filter)
		if cursor != "" {
			path += "&cursor=" + urlQuery(cursor)
		}
		p := contracttest.Decode[page[audienceBody]](e.want(e.do(u, "GET", path, nil), 200))
		for _, c := range p.Items {
			got = append(got, c.ID)
		}
		if cursor = p.NextCursor; cursor == "" {
			break
		}
	}
	if !slices.Equal(got, leads) {
		t.Errorf("filtered pages %v, want %v", got, leads)
	}
	r := e.want(e.do(u, "GET", "/v1/audience/contacts?filter="+urlQuery(`{"field":"shoeSize","op":"eq","value":"9"}`), nil), 400)
	if f := r.fields(); !slices.Equal(f, []string{"filter/field"}) {
		t.Errorf("an unknown field: problem fields %v, want [filter/field]", f)
	}
}
