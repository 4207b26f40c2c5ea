package contacts_test

import (
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/customfields"

	"github.com/rapport-crm/rapport/services/contacts/search"
)

// eventsAfter returns the events the service published after the first
// seen of them, and how many it has published in all.
func (e *env) eventsAfter(seen int64) ([]published, int64) {
	e.t.Helper()
	all := e.published()
	return all[seen:], int64(len(all))
}

// wantEvent checks that evs is one event of typ about the resource r, whose
// full state (r's body) it carries, with changed on updates.
func wantEvent(t *testing.T, evs []published, typ string, u user, r reply, changed ...string) {
	t.Helper()
	if len(evs) != 1 {
		t.Fatalf("%d events, want one %s: %v", len(evs), typ, evs)
	}
	ev := evs[0]
	if ev.typ != typ || ev.subject != r.id() || ev.tenant != u.tenant || ev.topic != "rapport.contacts.v1" {
		t.Errorf("event %s about %s of tenant %s on %s, want %s about %s of %s", ev.typ, ev.subject, ev.tenant, ev.topic, typ, r.id(), u.tenant)
	}
	got := object(t, typ, ev.data)
	if changed != nil {
		if !slices.Equal(ev.state().Changed, changed) {
			t.Errorf("%s changed %v, want %v", typ, ev.state().Changed, changed)
		}
		delete(got, "changed")
	}
	if want := object(t, "the resource", r.Raw); !reflect.DeepEqual(got, want) {
		t.Errorf("%s payload\n\t%v\nwant the resource\n\t%v", typ, got, want)
	}
}

func TestCustomFieldEvents(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	_, seq := e.eventsAfter(0)
	var evs []published

	def := e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "tier", "label": "Tier",
		"type": "singleSelect", "options": []string{"gold"}}), http.StatusCreated)
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.custom_field.created.v1", u, def)
	id := def.id()

	def = e.want(e.do(u, "PATCH", "/v1/custom-fields/"+id, map[string]any{"label": "Customer tier", "options": []string{"gold", "silver"}},
		"If-Match", `"1"`), http.StatusOK)
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.custom_field.updated.v1", u, def, "label", "options")

	// A patch that changes nothing is no change: no new version, no event.
	same := e.want(e.do(u, "PATCH", "/v1/custom-fields/"+id, map[string]any{"label": "Customer tier"}, "If-Match", `"2"`), http.StatusOK)
	if evs, _ = e.eventsAfter(seq); len(evs) != 0 || contracttest.Decode[customfields.Field](same).Version != 2 {
		t.Errorf("an empty change published %v: %s", evs, same.Raw)
	}

	e.want(e.do(u, "DELETE", "/v1/custom-fields/"+id, nil), http.StatusNoContent)
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.custom_field.deleted.v1", u, def)

	// A refused change publishes nothing.
	e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "Bad-Key", "label": "x", "type": "text"}), http.StatusBadRequest)
	e.want(e.do(u, "DELETE", "/v1/custom-fields/"+id, nil), http.StatusNotFound)
	if evs, _ = e.eventsAfter(seq); len(evs) != 0 {
		t.Errorf("refused changes published %v", evs)
	}
	validateEvents(t, e)
}

func TestSavedViewEvents(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	alice, bob := newUser(tenant), newUser(tenant)
	_, seq := e.eventsAfter(0)
	var evs []published

	// A private view is published to the tenant's topic, with its owner and
	// visibility; reading the built-in views publishes nothing.
	e.want(e.do(bob, "GET", "/v1/saved-views", nil), http.StatusOK)
	view := e.want(e.do(alice, "POST", "/v1/saved-views", map[string]any{"entity": "contact", "name": "Leads",
		"filter":  map[string]any{"and": []any{cond("lifecycleStage", "eq", "lead"), cond("tags", "contains", "vip")}},
		"columns": []string{"displayName", "tags"}, "sort": "-createdAt"}), http.StatusCreated)
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.saved_view.created.v1", alice, view)
	if ev := evs[0].state(); ev.OwnerID != alice.id || ev.Visibility != "private" {
		t.Errorf("private view's event: owner %v, visibility %v", ev.OwnerID, ev.Visibility)
	}
	id := view.id()

	// A rename changes the name alone, however the stored filter is written.
	view = e.want(e.do(alice, "PATCH", "/v1/saved-views/"+id, map[string]any{"name": "Hot leads"}, "If-Match", `"1"`), http.StatusOK)
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.saved_view.updated.v1", alice, view, "name")
	if got := e.want(e.do(alice, "GET", "/v1/saved-views/"+id, nil), http.StatusOK); !reflect.DeepEqual(object(t, "read back", got.Raw), object(t, "updated", view.Raw)) {
		t.Errorf("read back\n\t%s\nthe update answered\n\t%s", got.Raw, view.Raw)
	}

	view = e.want(e.do(alice, "PATCH", "/v1/saved-views/"+id, map[string]any{"visibility": "shared", "columns": []string{"displayName"},
		"filter": map[string]any{"and": []any{cond("lifecycleStage", "eq", "customer")}}}, "If-Match", `"2"`), http.StatusOK)
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.saved_view.updated.v1", alice, view, "columns", "filter", "visibility")

	same := e.want(e.do(alice, "PATCH", "/v1/saved-views/"+id, map[string]any{"visibility": "shared"}, "If-Match", `"3"`), http.StatusOK)
	if evs, _ = e.eventsAfter(seq); len(evs) != 0 || contracttest.Decode[search.SavedView](same).Version != 3 {
		t.Errorf("an empty change published %v: %s", evs, same.Raw)
	}

	// Bob may not delete alice's view: nothing is published.
	bob.perms = []string{"contacts:read", "contacts:write"}
	e.want(e.do(bob, "DELETE", "/v1/saved-views/"+id, nil), http.StatusForbidden)
	if evs, _ = e.eventsAfter(seq); len(evs) != 0 {
		t.Errorf("a refused delete published %v", evs)
	}
	e.want(e.do(alice, "DELETE", "/v1/saved-views/"+id, nil), http.StatusNoContent)
	evs, _ = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.saved_view.deleted.v1", alice, view)
	validateEvents(t, e)
}
