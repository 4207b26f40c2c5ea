package contacts_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/google/uuid"
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
func wantEvent(t *testing.T, evs []published, typ string, u user, r map[string]any, changed ...string) {
	t.Helper()
	if len(evs) != 1 {
		t.Fatalf("%d events, want one %s: %v", len(evs), typ, evs)
	}
	ev := evs[0]
	if ev.typ != typ || ev.subject != r["id"] || ev.tenant != u.tenant || ev.topic != "rapport.contacts.v1" {
		t.Errorf("event %s about %s of tenant %s on %s, want %s about %s of %s", ev.typ, ev.subject, ev.tenant, ev.topic, typ, r["id"], u.tenant)
	}
	got := map[string]any{}
	for k, v := range ev.data {
		got[k] = v
	}
	if changed != nil {
		want := make([]any, len(changed))
		for i, c := range changed {
			want[i] = c
		}
		if !reflect.DeepEqual(got["changed"], want) {
			t.Errorf("%s changed %v, want %v", typ, got["changed"], changed)
		}
		delete(got, "changed")
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("%s payload\n\t%v\nwant the resource\n\t%v", typ, got, r)
	}
}

func TestCustomFieldEvents(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	_, seq := e.eventsAfter(0)
	var evs []published

	def := e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "tier", "label": "Tier",
		"type": "singleSelect", "options": []string{"gold"}}), http.StatusCreated).body
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.custom_field.created.v1", u, def)
	id := def["id"].(string)

	def = e.want(e.do(u, "PATCH", "/v1/custom-fields/"+id, map[string]any{"label": "Customer tier", "options": []string{"gold", "silver"}},
		"If-Match", `"1"`), http.StatusOK).body
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.custom_field.updated.v1", u, def, "label", "options")

	// A patch that changes nothing is no change: no new version, no event.
	same := e.want(e.do(u, "PATCH", "/v1/custom-fields/"+id, map[string]any{"label": "Customer tier"}, "If-Match", `"2"`), http.StatusOK).body
	if evs, _ = e.eventsAfter(seq); len(evs) != 0 || same["version"] != 2.0 {
		t.Errorf("an empty change published %v, version %v", evs, same["version"])
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
		"columns": []string{"displayName", "tags"}, "sort": "-createdAt"}), http.StatusCreated).body
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.saved_view.created.v1", alice, view)
	if ev := evs[0].data; ev["ownerId"] != alice.id || ev["visibility"] != "private" {
		t.Errorf("private view's event: owner %v, visibility %v", ev["ownerId"], ev["visibility"])
	}
	id := view["id"].(string)

	// A rename changes the name alone, however the stored filter is written.
	view = e.want(e.do(alice, "PATCH", "/v1/saved-views/"+id, map[string]any{"name": "Hot leads"}, "If-Match", `"1"`), http.StatusOK).body
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.saved_view.updated.v1", alice, view, "name")
	if got := e.want(e.do(alice, "GET", "/v1/saved-views/"+id, nil), http.StatusOK).body; !reflect.DeepEqual(got, view) {
		t.Errorf("read back\n\t%v\nthe update answered\n\t%v", got, view)
	}

	view = e.want(e.do(alice, "PATCH", "/v1/saved-views/"+id, map[string]any{"visibility": "shared", "columns": []string{"displayName"},
		"filter": map[string]any{"and": []any{cond("lifecycleStage", "eq", "customer")}}}, "If-Match", `"2"`), http.StatusOK).body
	evs, seq = e.eventsAfter(seq)
	wantEvent(t, evs, "dev.rapport.contacts.saved_view.updated.v1", alice, view, "columns", "filter", "visibility")

	same := e.want(e.do(alice, "PATCH", "/v1/saved-views/"+id, map[string]any{"visibility": "shared"}, "If-Match", `"3"`), http.StatusOK).body
	if evs, _ = e.eventsAfter(seq); len(evs) != 0 || same["version"] != 3.0 {
		t.Errorf("an empty change published %v, version %v", evs, same["version"])
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
