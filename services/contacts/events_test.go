package contacts_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts/customer"
	"github.com/rapport-crm/rapport/services/contacts/records"
)

// validateEvents checks every event the service has published against the
// JSON Schema of its type in api/events.
func validateEvents(t *testing.T, e *env) {
	t.Helper()
	contracttest.ValidateEvents(t, "api/events", e.events())
}

func TestTagsAndCustomFields(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	tag := e.created(u, "/v1/tags", map[string]any{"name": "VIP", "colour": "#ff0000"})
	e.want(e.do(u, "POST", "/v1/tags", map[string]any{"name": "vip"}), http.StatusConflict)
	e.want(e.do(u, "POST", "/v1/tags", map[string]any{"name": "x", "colour": "red"}), http.StatusBadRequest)

	def := e.created(u, "/v1/custom-fields", map[string]any{
		"entity": "contact", "key": "tier", "label": "Tier", "type": "singleSelect", "options": []string{"gold"}})
	e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "Bad-Key", "label": "x", "type": "text"}), http.StatusBadRequest)
	e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "A", "customFields": map[string]any{"tier": "silver"}}), http.StatusBadRequest)

	c := contactOf(e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "A", "tags": []string{"vip", "New Tag"},
		"customFields": map[string]any{"tier": "gold"}}), http.StatusCreated))
	id := c.ID
	if !slices.Equal(c.Tags, []string{"VIP", "New Tag"}) {
		t.Errorf("tags = %v, want [VIP New Tag]", c.Tags)
	}

	// A rename keeps the assignment; extending options touches nothing.
	e.want(e.do(u, "PATCH", "/v1/tags/"+tag, map[string]any{"name": "Key Account"}, "If-Match", `"1"`), http.StatusOK)
	e.want(e.do(u, "PATCH", "/v1/custom-fields/"+def, map[string]any{"options": []string{"gold", "silver"}}, "If-Match", `"1"`), http.StatusOK)
	e.want(e.do(u, "PATCH", "/v1/custom-fields/"+def, map[string]any{"options": []string{"silver"}}, "If-Match", `"2"`), http.StatusBadRequest)
	got := contactOf(e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK))
	if len(got.Tags) == 0 || got.Tags[0] != "Key Account" {
		t.Errorf("after rename tags = %v", got.Tags)
	}

	// Bulk: add to two contacts, one of them unknown.
	other := e.created(u, "/v1/contacts", map[string]any{"firstName": "B"})
	missing := uuid.NewString()
	r := e.want(e.do(u, "POST", "/v1/contacts/tags", map[string]any{"ids": []string{id, other, missing}, "add": []string{"key account"}, "remove": []string{"New Tag"}}), http.StatusOK)
	if res := contracttest.Decode[records.BulkTagResult](r); res.Updated != 2 || len(res.NotFound) != 1 {
		t.Errorf("bulk result %s", r.Raw)
	}
	got = contactOf(e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK))
	if !slices.Equal(got.Tags, []string{"Key Account"}) {
		t.Errorf("after bulk tags = %v", got.Tags)
	}

	// Deleting the definition hides the value; re-creating it shows it again.
	e.want(e.do(u, "DELETE", "/v1/custom-fields/"+def, nil), http.StatusNoContent)
	if cf := contactOf(e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), 200)).CustomFields; len(cf) != 0 {
		t.Errorf("deleted definition still shows %v", cf)
	}
	e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "tier", "label": "Tier", "type": "singleSelect", "options": []string{"gold"}}), http.StatusCreated)
	if cf := contactOf(e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), 200)).CustomFields; cf["tier"] != "gold" {
		t.Errorf("re-created definition shows %v", cf)
	}
	e.want(e.do(u, "POST", "/v1/custom-fields", map[string]any{"entity": "contact", "key": "score", "label": "Score", "type": "number", "required": true}), http.StatusCreated)
	r = e.want(e.do(u, "PATCH", "/v1/contacts/"+id, map[string]any{"jobTitle": "CTO"}, "If-Match", `"2"`), http.StatusBadRequest)
	if r.field("customFields/score") == "" {
		t.Errorf("required field not named: %s", r.Raw)
	}
	e.want(e.do(u, "PATCH", "/v1/contacts/"+id, map[string]any{"customFields": map[string]any{"score": 3}}, "If-Match", `"2"`), http.StatusOK)
	e.want(e.do(u, "DELETE", "/v1/tags/"+tag, nil), http.StatusNoContent)
	validateEvents(t, e)
}

func TestAccountsParentsAndPaging(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	a := e.created(u, "/v1/accounts", map[string]any{"name": "A", "sizeBand": "11-50",
		"annualRevenue": map[string]any{"amountMinor": 100000, "currency": "EUR"}})
	b := e.created(u, "/v1/accounts", map[string]any{"name": "B", "parentAccountId": a})
	r := e.want(e.do(u, "PATCH", "/v1/accounts/"+a, map[string]any{"parentAccountId": b}, "If-Match", `"1"`), http.StatusBadRequest)
	if r.field("parentAccountId") == "" {
		t.Errorf("cycle not reported: %s", r.Raw)
	}
	e.want(e.do(u, "POST", "/v1/accounts", map[string]any{"name": "C", "annualRevenue": map[string]any{"amountMinor": 1, "currency": "XYZ"}}), http.StatusBadRequest)
	e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "A", "accountId": a}), http.StatusCreated)
	e.want(e.do(u, "PUT", "/v1/settings", map[string]any{"defaultRegion": "CN"}), http.StatusOK)
	p := contactOf(e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"phones": []any{map[string]any{"number": "138 1234 5678"}}}), http.StatusCreated))
	if len(p.Phones) != 1 || p.Phones[0].E164 != "+8613812345678" {
		t.Errorf("CN default region: %v", p.Phones)
	}

	seen := map[string]bool{}
	cursor := ""
	for page := 0; page < 5; page++ {
		page := contracttest.Decode[customer.Page[customer.Account]](e.want(e.do(u, "GET", "/v1/accounts?limit=1"+cursor, nil), http.StatusOK))
		for _, it := range page.Items {
			seen[it.ID] = true
		}
		next := page.NextCursor
		if next == "" {
			break
		}
		cursor = "&cursor=" + next
	}
	if len(seen) != 2 {
		t.Errorf("paged through %d accounts, want 2", len(seen))
	}
	e.want(e.do(u, "GET", "/v1/accounts?limit=500", nil), http.StatusBadRequest)
	e.want(e.do(u, "GET", "/v1/accounts?cursor=forged", nil), http.StatusBadRequest)
	validateEvents(t, e)

	tables, err := pg.TablesWithoutRLS(context.Background(), e.admin.DB)
	if err != nil || len(tables) != 0 {
		t.Errorf("tables without RLS: %v %v", tables, err)
	}
}

// TestRelayPublishesEvents checks that a create reaches the service's topic
// through the relay the starter runs, keyed by the contact, with its
// CloudEvents headers.
func TestRelayPublishesEvents(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	id := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada"})
	recs := testkit.ReadTopic(t, e.brokers, registry.MustTopic("", registry.Contacts), 1, 20*time.Second)
	if len(recs) != 1 {
		t.Fatalf("read %d records, want 1", len(recs))
	}
	h := map[string]string{}
	for _, kv := range recs[0].Headers {
		h[kv.Key] = string(kv.Value)
	}
	if string(recs[0].Key) != id || h["ce_type"] != "dev.rapport.contacts.contact.created.v1" || h["ce_source"] != "/rapport/contacts" || h["ce_tenantid"] != u.tenant {
		t.Errorf("record key %s headers %v", recs[0].Key, h)
	}
}
