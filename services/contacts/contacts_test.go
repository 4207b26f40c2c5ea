package contacts_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

func TestContactLifecycle(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	r := e.want(e.do(u, "POST", "/v1/contacts", map[string]any{
		"firstName": "伟", "lastName": "张",
		"emails": []any{map[string]any{"address": " Wei.Zhang@Example.COM "}},
		"phones": []any{map[string]any{"number": "(415) 555-2671", "label": "work"}},
	}), http.StatusCreated)
	c := contactOf(r)
	id := c.ID
	if c.DisplayName != "张伟" || r.Header.Get("ETag") != `"1"` || r.Header.Get("Location") != "/v1/contacts/"+id {
		t.Fatalf("created %s with headers %v", r.Raw, r.Header)
	}
	if len(c.Emails) != 1 || len(c.Phones) != 1 {
		t.Fatalf("emails and phones: %s", r.Raw)
	}
	email, phone := c.Emails[0], c.Phones[0]
	if email.Address != "wei.zhang@example.com" || !email.Primary || phone.E164 != "+14155552671" || phone.Number != "(415) 555-2671" {
		t.Errorf("emails/phones not normalised: %s", r.Raw)
	}
	if c.OwnerID != u.id {
		t.Errorf("ownerId = %v, want the caller %s", c.OwnerID, u.id)
	}
	e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK)

	patch := map[string]any{"firstName": "小明", "lastName": "王"}
	e.want(e.do(u, "PATCH", "/v1/contacts/"+id, patch), http.StatusPreconditionRequired)
	e.want(e.do(u, "PATCH", "/v1/contacts/"+id, patch, "If-Match", `"7"`), http.StatusPreconditionFailed)
	r = e.want(e.do(u, "PATCH", "/v1/contacts/"+id, patch, "If-Match", `"1"`), http.StatusOK)
	if contactOf(r).DisplayName != "王小明" || r.Header.Get("ETag") != `"2"` {
		t.Errorf("patched: %s, ETag %s", r.Raw, r.Header.Get("ETag"))
	}
	// The gateway's audit log learns which fields changed: names, not values.
	if got := r.Header.Get(kitx.ChangedFieldsHeader); got != "displayName,firstName,lastName" {
		t.Errorf("%s = %q, want displayName,firstName,lastName", kitx.ChangedFieldsHeader, got)
	}
	r = e.want(e.do(u, "PATCH", "/v1/contacts/"+id, patch, "If-Match", `"2"`), http.StatusOK)
	if v, ok := r.Header[kitx.ChangedFieldsHeader]; ok || r.Header.Get("ETag") != `"2"` {
		t.Errorf("a patch changing nothing: %s %q, ETag %s; want no header, version 2", kitx.ChangedFieldsHeader, v, r.Header.Get("ETag"))
	}
	r = e.want(e.do(u, "PATCH", "/v1/contacts/"+id, map[string]any{"displayName": "Wang", "jobTitle": nil}, "If-Match", `"2"`), http.StatusOK)
	if contactOf(r).DisplayName != "Wang" {
		t.Errorf("display name set alone: %s", r.Raw)
	}

	e.want(e.do(u, "DELETE", "/v1/contacts/"+id, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusNotFound)
	if list := items[customer.Contact](e.want(e.do(u, "GET", "/v1/contacts", nil), http.StatusOK)); len(list) != 0 {
		t.Errorf("live list holds a deleted contact: %v", list)
	}
	if list := items[customer.Contact](e.want(e.do(u, "GET", "/v1/contacts?deleted=true", nil), http.StatusOK)); len(list) != 1 {
		t.Errorf("deleted list has %d items, want 1", len(list))
	}
	e.want(e.do(u, "POST", "/v1/contacts/"+id+"/restore", nil), http.StatusOK)
	e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK)

	types, payloads := e.outboxEvents()
	want := []string{"created", "updated", "updated", "deleted", "restored"}
	if len(types) != len(want) {
		t.Fatalf("events %v, want %d contact events", types, len(want))
	}
	for i, v := range want {
		if types[i] != "dev.rapport.contacts.contact."+v+".v1" {
			t.Errorf("event %d is %s, want contact.%s", i, types[i], v)
		}
	}
	if got := payloads[1].state().Changed; len(got) != 3 {
		t.Errorf("changed = %v, want displayName, firstName, lastName", got)
	}
	validateEvents(t, e)
}

func TestDisplayNameAlone(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	r := e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"displayName": "张伟"}), http.StatusCreated)
	if c := contactOf(r); c.DisplayName != "张伟" || c.FirstName != "" {
		t.Errorf("got %s", r.Raw)
	}
}

func TestValidationNamesEveryField(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	tests := []struct {
		name   string
		body   any
		fields []string
	}{
		{"bad email and phone", map[string]any{"firstName": "A",
			"emails": []any{map[string]any{"address": "nope"}},
			"phones": []any{map[string]any{"number": "12"}}}, []string{"emails/0/address", "phones/0/number"}},
		{"two primaries", map[string]any{"firstName": "A", "emails": []any{
			map[string]any{"address": "a@example.com", "primary": true}, map[string]any{"address": "b@example.com", "primary": true}}}, []string{"emails"}},
		{"stage and country", map[string]any{"firstName": "A", "lifecycleStage": "hot", "address": map[string]any{"country": "XX"}},
			[]string{"lifecycleStage", "address/country"}},
		{"no name at all", map[string]any{"jobTitle": "CEO"}, []string{"displayName"}},
		{"unknown field", map[string]any{"firstName": "A", "nickname": "x"}, []string{"nickname"}},
		{"read-only field", map[string]any{"firstName": "A", "version": 3}, []string{"version"}},
		{"missing account", map[string]any{"firstName": "A", "accountId": uuid.NewString()}, []string{"accountId"}},
		{"unknown custom field", map[string]any{"firstName": "A", "customFields": map[string]any{"tier": "x"}}, []string{"customFields/tier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.want(e.do(u, "POST", "/v1/contacts", tt.body), http.StatusBadRequest)
			for _, f := range tt.fields {
				if r.field(f) == "" {
					t.Errorf("problem does not name %s: %s", f, r.Raw)
				}
			}
		})
	}
}

func TestTenantIsolationAndScope(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	admin := newUser(tenant)
	owner := user{tenant: tenant, id: uuid.NewString(), scope: "own", perms: []string{"contacts:*"}}
	teammate := user{tenant: tenant, id: uuid.NewString(), scope: "team", teams: []string{"t1"}, perms: []string{"contacts:*"}}
	outsider := user{tenant: tenant, id: uuid.NewString(), scope: "team", teams: []string{"t2"}, perms: []string{"contacts:*"}}
	reader := user{tenant: tenant, id: uuid.NewString(), scope: "all", perms: []string{"contacts:read"}}
	other := newUser(uuid.NewString())

	id := e.created(owner, "/v1/contacts", map[string]any{"firstName": "A", "teamId": "t1"})
	for _, tt := range []struct {
		name string
		u    user
		want int
	}{
		{"owner", owner, 200}, {"all", admin, 200}, {"same team", teammate, 200},
		{"other team", outsider, 404}, {"other tenant", other, 404}, {"read-only", reader, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.want(e.do(tt.u, "GET", "/v1/contacts/"+id, nil), tt.want)
			n := len(items[customer.Contact](e.want(e.do(tt.u, "GET", "/v1/contacts", nil), 200)))
			if want := map[bool]int{true: 1, false: 0}[tt.want == 200]; n != want {
				t.Errorf("list has %d items, want %d", n, want)
			}
		})
	}
	e.want(e.do(other, "DELETE", "/v1/contacts/"+id, nil), http.StatusNotFound)
	e.want(e.do(outsider, "PATCH", "/v1/contacts/"+id, map[string]any{"jobTitle": "x"}, "If-Match", `"1"`), http.StatusNotFound)
	e.want(e.do(reader, "POST", "/v1/contacts", map[string]any{"firstName": "B"}), http.StatusForbidden)
	e.want(e.do(owner, "POST", "/v1/contacts", map[string]any{"firstName": "B", "ownerId": "someone-else"}), http.StatusForbidden)
	e.want(e.do(user{}, "GET", "/v1/contacts", nil), http.StatusUnauthorized)
}

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	body := map[string]any{"name": "Acme", "domain": "HTTPS://Acme.COM/about"}
	first := e.want(e.do(u, "POST", "/v1/accounts", body, "Idempotency-Key", "k1"), http.StatusCreated)
	again := e.want(e.do(u, "POST", "/v1/accounts", body, "Idempotency-Key", "k1"), http.StatusCreated)
	if first.id() != again.id() || again.Header.Get("ETag") != `"1"` || accountOf(first).Domain != "acme.com" {
		t.Errorf("replay differs: %s vs %s", first.Raw, again.Raw)
	}
	e.want(e.do(u, "POST", "/v1/accounts", map[string]any{"name": "Other"}, "Idempotency-Key", "k1"), http.StatusConflict)
	e.want(e.do(u, "POST", "/v1/accounts", body, "Idempotency-Key", "k2"), http.StatusConflict) // a duplicate of the first
	e.want(e.do(u, "POST", "/v1/accounts?allowDuplicate=true", body, "Idempotency-Key", "k2"), http.StatusCreated)
	if n := len(items[customer.Account](e.want(e.do(u, "GET", "/v1/accounts", nil), 200))); n != 2 {
		t.Errorf("%d accounts, want 2", n)
	}
}
