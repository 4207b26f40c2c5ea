package contacts_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
)

// TestMatchKeysFollowTheContact checks that a contact's match keys are
// exactly those of its current row (contact_match_values) after each kind
// of write: a create, updates of every field they derive from, a delete, a
// restore. Stale keys would make a changed email or name still look taken.
func TestMatchKeysFollowTheContact(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	account := e.created(u, "/v1/accounts", map[string]any{"name": "Initech", "domain": "initech.example"})
	id := e.created(u, "/v1/contacts", map[string]any{"firstName": "Peter", "lastName": "Gibbons",
		"emails": []any{map[string]any{"address": "peter@initech.example"}, map[string]any{"address": "pg@gmail.com"}},
		"phones": []any{map[string]any{"number": "+14155550123"}}})
	check := func(step string, live bool) {
		t.Helper()
		var stale, missing, stored int
		err := e.admin.QueryRow(`
			WITH want AS (SELECT DISTINCT c.tenant_id, k.kind, k.value FROM contacts c,
					contact_match_values(c.emails, c.phones, c.display_name, c.account_id) m, unnest(m.kinds, m.vals) k(kind, value)
				WHERE c.id = $1 AND c.deleted_at IS NULL),
			have AS (SELECT tenant_id, kind, value FROM contact_match_keys WHERE contact_id = $1)
			SELECT (SELECT count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want) s),
				(SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have) s),
				(SELECT count(*) FROM have)`, id).Scan(&stale, &missing, &stored)
		if err != nil {
			t.Fatal(err)
		}
		if stale != 0 || missing != 0 || (stored > 0) != live {
			t.Errorf("after %s: %d stale keys, %d missing, %d stored", step, stale, missing, stored)
		}
	}
	patch := func(step string, body map[string]any) {
		t.Helper()
		etag := e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK).Header.Get("ETag")
		e.want(e.do(u, "PATCH", "/v1/contacts/"+id, body, "If-Match", etag), http.StatusOK)
		check(step, true)
	}
	check("create", true)
	patch("an email change", map[string]any{"emails": []any{map[string]any{"address": "peter.gibbons@initech.example"}}})
	patch("a phone change", map[string]any{"phones": []any{map[string]any{"number": "+14155550999"}}})
	patch("a name change", map[string]any{"firstName": "Pete"})
	patch("an account", map[string]any{"accountId": account})
	patch("no account", map[string]any{"accountId": nil})
	etag := e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK).Header.Get("ETag")
	e.want(e.do(u, "DELETE", "/v1/contacts/"+id, nil, "If-Match", etag), http.StatusNoContent)
	check("a delete", false)
	e.want(e.do(u, "POST", "/v1/contacts/"+id+"/restore", nil), http.StatusOK)
	check("a restore", true)
}
