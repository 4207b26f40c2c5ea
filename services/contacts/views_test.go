package contacts_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/contacts/records"
	"github.com/rapport-crm/rapport/services/contacts/search"
)

func TestSavedViews(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	alice, bob := newUser(tenant), newUser(tenant)
	bob.perms = []string{"contacts:read", "contacts:write"}

	// The built-in view exists on first use, shared and read-only.
	var builtin *search.SavedView
	for _, v := range items[search.SavedView](e.want(e.do(bob, "GET", "/v1/saved-views?entity=contact", nil), 200)) {
		if v.Builtin {
			builtin = &v
		}
	}
	if builtin == nil || builtin.Visibility != "shared" || builtin.Name != "Purchase intent, active in the last 3 months, not yet customers" {
		t.Fatalf("no built-in view: %+v", builtin)
	}
	builtinID := builtin.ID
	e.want(e.do(alice, "DELETE", "/v1/saved-views/"+builtinID, nil), http.StatusForbidden)

	// The example returns exactly the tagged, recently active non-customers.
	recent, old := 10, 120
	for _, c := range []struct {
		name, stage string
		tags        []string
		days        *int
	}{
		{"Match One", "lead", []string{"purchase-intent"}, &recent},
		{"Match Two", "opportunity", []string{"purchase-intent", "vip"}, &recent},
		{"Customer Already", "customer", []string{"purchase-intent"}, &recent},
		{"Gone Quiet", "lead", []string{"purchase-intent"}, &old},
		{"Never Active", "lead", []string{"purchase-intent"}, nil},
		{"Untagged Person", "lead", []string{}, &recent},
	} {
		id := e.create(alice, "contacts", map[string]any{"displayName": c.name, "lifecycleStage": c.stage, "tags": c.tags})
		e.setActivity(id, c.days)
	}
	got := names(e.list(bob, "/v1/contacts", "view", builtinID, "sort", "displayName"))
	if !slices.Equal(got, []string{"Match One", "Match Two"}) {
		t.Errorf("built-in view found %v", got)
	}
	// Explicit parameters override the view's.
	got = names(e.list(bob, "/v1/contacts", "view", builtinID, "q", "two"))
	if !slices.Equal(got, []string{"Match Two"}) {
		t.Errorf("view with q found %v", got)
	}
	e.want(e.do(bob, "GET", "/v1/accounts?view="+builtinID, nil), http.StatusBadRequest)

	// A private view is its owner's alone.
	r := e.want(e.do(alice, "POST", "/v1/saved-views", map[string]any{"entity": "contact", "name": "Mine",
		"filter": cond("lifecycleStage", "eq", "lead"), "columns": []string{"displayName", "tags"}, "sort": "-createdAt"}), http.StatusCreated)
	view := contracttest.Decode[search.SavedView](r)
	mine := view.ID
	if view.Visibility != "private" || view.OwnerID != alice.id {
		t.Errorf("created %s", r.Raw)
	}
	e.want(e.do(bob, "GET", "/v1/saved-views/"+mine, nil), http.StatusNotFound)
	e.want(e.do(bob, "GET", "/v1/contacts?view="+mine, nil), http.StatusNotFound)
	if got := names(e.list(alice, "/v1/contacts", "view", mine)); len(got) != 4 {
		t.Errorf("private view found %v", got)
	}
	for _, v := range items[search.SavedView](e.want(e.do(bob, "GET", "/v1/saved-views", nil), 200)) {
		if v.ID == mine {
			t.Error("bob lists alice's private view")
		}
	}

	// Shared: bob sees it and may use it, but only alice (or an admin) changes it.
	e.want(e.do(alice, "PATCH", "/v1/saved-views/"+mine, map[string]any{"visibility": "shared"}, "If-Match", `"1"`), http.StatusOK)
	e.want(e.do(bob, "GET", "/v1/saved-views/"+mine, nil), http.StatusOK)
	if got := names(e.list(bob, "/v1/contacts", "view", mine)); len(got) != 4 {
		t.Errorf("shared view found %v", got)
	}
	e.want(e.do(bob, "PATCH", "/v1/saved-views/"+mine, map[string]any{"name": "Bob's"}, "If-Match", `"2"`), http.StatusForbidden)
	e.want(e.do(bob, "DELETE", "/v1/saved-views/"+mine, nil), http.StatusForbidden)

	// Views are validated when saved.
	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"entity": "contact", "name": "x", "filter": cond("shoeSize", "eq", 1)}, "filter/field"},
		{map[string]any{"entity": "contact", "name": "x", "columns": []string{"displayName", "shoeSize"}}, "columns/1"},
		{map[string]any{"entity": "contact", "name": "x", "sort": "shoeSize"}, "sort"},
		{map[string]any{"entity": "account", "name": "x", "filter": cond("lifecycleStage", "eq", "lead")}, "filter/field"},
		{map[string]any{"entity": "contact", "name": ""}, "name"},
	} {
		r := e.want(e.do(alice, "POST", "/v1/saved-views", tt.body), http.StatusBadRequest)
		if r.field(tt.field) == "" {
			t.Errorf("%v: errors do not name %s: %s", tt.body, tt.field, r.Raw)
		}
	}
	e.want(e.do(alice, "PATCH", "/v1/saved-views/"+mine, map[string]any{"filter": cond("nope", "eq", 1)}, "If-Match", `"2"`), http.StatusBadRequest)
	e.want(e.do(alice, "DELETE", "/v1/saved-views/"+mine, nil), http.StatusNoContent)
	e.want(e.do(alice, "GET", "/v1/saved-views/"+mine, nil), http.StatusNotFound)
}

func TestBulkTagByFilter(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant)
	own := user{tenant: tenant, id: uuid.NewString(), scope: "own", perms: []string{"contacts:*"}}
	for _, n := range []string{"Lead One", "Lead Two", "Customer Three"} {
		stage := "lead"
		if n == "Customer Three" {
			stage = "customer"
		}
		e.create(u, "contacts", map[string]any{"displayName": n, "lifecycleStage": stage})
	}
	e.create(own, "contacts", map[string]any{"displayName": "Lead Own", "lifecycleStage": "lead"})

	// Only the matching records in the caller's scope change.
	r := e.want(e.do(own, "POST", "/v1/contacts/tags", map[string]any{"filter": cond("lifecycleStage", "eq", "lead"), "add": []string{"hot"}}), 200)
	if contracttest.Decode[records.BulkTagResult](r).Updated != 1 {
		t.Errorf("own scope tagged %s", r.Raw)
	}
	r = e.want(e.do(u, "POST", "/v1/contacts/tags", map[string]any{"filter": cond("lifecycleStage", "eq", "lead"), "add": []string{"hot"}}), 200)
	if contracttest.Decode[records.BulkTagResult](r).Updated != 2 {
		t.Errorf("tagged %s", r.Raw)
	}
	if got := names(e.list(u, "/v1/contacts", "filter", filterJSON(t, cond("tags", "contains", "hot")), "sort", "displayName")); !slices.Equal(got, []string{"Lead One", "Lead Own", "Lead Two"}) {
		t.Errorf("hot contacts %v", got)
	}
	r = e.want(e.do(u, "POST", "/v1/contacts/tags", map[string]any{"q": "two", "remove": []string{"hot"}}), 200)
	if contracttest.Decode[records.BulkTagResult](r).Updated != 1 {
		t.Errorf("untagged by q %s", r.Raw)
	}
	r = e.want(e.do(u, "POST", "/v1/contacts/tags", map[string]any{"filter": cond("firstName", "eq", "nobody"), "add": []string{"x"}}), 200)
	if contracttest.Decode[records.BulkTagResult](r).Updated != 0 {
		t.Errorf("no match %s", r.Raw)
	}
	e.want(e.do(u, "POST", "/v1/contacts/tags", map[string]any{"ids": []string{uuid.NewString()}, "filter": cond("firstName", "eq", "x"), "add": []string{"x"}}), 400)
	e.want(e.do(u, "POST", "/v1/contacts/tags", map[string]any{"filter": cond("colour", "eq", "x"), "add": []string{"x"}}), 400)

	// More than 10,000 matches is refused and changes nothing.
	if _, err := e.admin.Exec(`INSERT INTO contacts (tenant_id, id, display_name, owner_id, created_at, updated_at, version, lifecycle_stage)
		SELECT $1, gen_random_uuid(), 'Bulk ' || g, $2, now(), now(), 1, 'subscriber' FROM generate_series(1, 10001) g`, tenant, u.id); err != nil {
		t.Fatal(err)
	}
	r = e.want(e.do(u, "POST", "/v1/accounts/tags", map[string]any{"filter": cond("name", "eq", "none"), "add": []string{"x"}}), 200)
	r = e.want(e.do(u, "POST", "/v1/contacts/tags", map[string]any{"filter": cond("lifecycleStage", "eq", "subscriber"), "add": []string{"bulk"}}), 400)
	if r.field("filter") == "" {
		t.Errorf("too many: %s", r.Raw)
	}
}

// TestViewWithoutFilter checks a view that only picks columns and a sort —
// no filter — reads back, lists, lists its records, changes and deletes
// (its NULL filter once failed every read with a 500).
func TestViewWithoutFilter(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.create(u, "contacts", map[string]any{"displayName": "Ada Lovelace"})
	r := e.want(e.do(u, "POST", "/v1/saved-views", map[string]any{"entity": "contact", "name": "Everyone",
		"columns": []string{"displayName", "emails"}, "sort": "displayName"}), http.StatusCreated)
	v := contracttest.Decode[search.SavedView](r)
	if len(v.Filter) != 0 {
		t.Errorf("created view has filter %s, want none", v.Filter)
	}
	got := contracttest.Decode[search.SavedView](e.want(e.do(u, "GET", "/v1/saved-views/"+v.ID, nil), http.StatusOK))
	if got.Name != "Everyone" || len(got.Filter) != 0 {
		t.Errorf("read back %+v", got)
	}
	if views := items[search.SavedView](e.want(e.do(u, "GET", "/v1/saved-views?entity=contact", nil), http.StatusOK)); len(views) != 2 {
		t.Errorf("listed %d views, want the built-in one and Everyone", len(views))
	}
	if found := names(e.list(u, "/v1/contacts", "view", v.ID)); !slices.Equal(found, []string{"Ada Lovelace"}) {
		t.Errorf("the view lists %v", found)
	}
	e.want(e.do(u, "PATCH", "/v1/saved-views/"+v.ID, map[string]any{"name": "All of them"}, "If-Match", r.Header.Get("ETag")), http.StatusOK)
	e.want(e.do(u, "DELETE", "/v1/saved-views/"+v.ID, nil), http.StatusNoContent)
}
