package contacts_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/tags"
)

// filterJSON encodes a filter for the filter query parameter.
func filterJSON(t *testing.T, f any) string {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cond is one filter condition.
func cond(field, op string, value any) map[string]any {
	return map[string]any{"field": field, "op": op, "value": value}
}

// setActivity sets a contact's last activity to days ago (the activities
// feature will; nil days clears it).
func (e *env) setActivity(id string, days *int) {
	e.t.Helper()
	q := "UPDATE contacts SET last_activity_at = NULL WHERE id = $1"
	args := []any{id}
	if days != nil {
		q = "UPDATE contacts SET last_activity_at = now() - make_interval(days => $2) WHERE id = $1"
		args = append(args, *days)
	}
	if _, err := e.admin.Exec(q, args...); err != nil {
		e.t.Fatal(err)
	}
}

func TestFilterOperators(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, d := range []map[string]any{
		{"entity": "contact", "key": "budget", "label": "Budget", "type": "number"},
		{"entity": "contact", "key": "price", "label": "Price", "type": "decimal"},
		{"entity": "contact", "key": "tier", "label": "Tier", "type": "singleSelect", "options": []string{"gold", "silver"}},
		{"entity": "contact", "key": "vip", "label": "VIP", "type": "boolean"},
		{"entity": "contact", "key": "renewal", "label": "Renewal", "type": "date"},
		{"entity": "contact", "key": "gone", "label": "Gone", "type": "text"},
	} {
		e.want(e.do(u, "POST", "/v1/custom-fields", d), http.StatusCreated)
	}
	acme := e.create(u, "accounts", map[string]any{"name": "Acme"})
	ids := map[string]string{}
	ids["ada"] = e.create(u, "contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace", "jobTitle": "Engineer",
		"lifecycleStage": "lead", "accountId": acme, "tags": []string{"vip-list", "purchase-intent"},
		"emails":       []any{map[string]any{"address": "ada@acme.com"}},
		"address":      map[string]any{"country": "GB", "city": "London"},
		"customFields": map[string]any{"budget": 12000.5, "price": "99.90", "tier": "gold", "vip": true, "renewal": "2026-01-15", "gone": "x"}})
	ids["bob"] = e.create(u, "contacts", map[string]any{"firstName": "Bob", "lastName": "Builder", "jobTitle": "Builder",
		"lifecycleStage": "customer", "tags": []string{"purchase-intent"},
		"address":      map[string]any{"country": "US", "city": "Boston"},
		"customFields": map[string]any{"budget": 500, "price": "10.00", "tier": "silver", "vip": false, "renewal": "2027-06-01"}})
	ids["cy"] = e.create(u, "contacts", map[string]any{"firstName": "Cy", "lastName": "Young", "lifecycleStage": "opportunity"})
	three, hundred := 3, 100
	e.setActivity(ids["ada"], &three)
	e.setActivity(ids["bob"], &hundred)

	// The definition of "gone" is deleted: its values stay but are not filterable.
	var goneID string
	for _, d := range items[customfields.Field](e.want(e.do(u, "GET", "/v1/custom-fields?entity=contact", nil), 200)) {
		if d.Key == "gone" {
			goneID = d.ID
		}
	}
	e.want(e.do(u, "DELETE", "/v1/custom-fields/"+goneID, nil), http.StatusNoContent)

	// Renaming a tag keeps filters by its new name working.
	for _, tg := range items[tags.Tag](e.want(e.do(u, "GET", "/v1/tags", nil), 200)) {
		if tg.Name == "vip-list" {
			e.want(e.do(u, "PATCH", "/v1/tags/"+tg.ID, map[string]any{"name": "VIPs"}, "If-Match", `"1"`), http.StatusOK)
		}
	}

	for _, tt := range []struct {
		name   string
		filter any
		want   []string
	}{
		{"string eq", cond("firstName", "eq", "Ada"), []string{"Ada Lovelace"}},
		{"string ne", cond("jobTitle", "ne", "Engineer"), []string{"Bob Builder", "Cy Young"}},
		{"string contains", cond("lastName", "contains", "UILD"), []string{"Bob Builder"}},
		{"string startsWith", cond("displayName", "startsWith", "cy"), []string{"Cy Young"}},
		{"string in", cond("address.country", "in", []string{"GB", "US"}), []string{"Ada Lovelace", "Bob Builder"}},
		{"isEmpty", cond("jobTitle", "isEmpty", true), []string{"Cy Young"}},
		{"not empty", cond("address.city", "isEmpty", false), []string{"Ada Lovelace", "Bob Builder"}},
		{"emails", cond("emails", "eq", "ada@acme.com"), []string{"Ada Lovelace"}},
		{"enum", cond("lifecycleStage", "in", []string{"lead", "opportunity"}), []string{"Ada Lovelace", "Cy Young"}},
		{"uuid", cond("accountId", "eq", acme), []string{"Ada Lovelace"}},
		{"account name", cond("accountName", "startsWith", "ac"), []string{"Ada Lovelace"}},
		{"time within", cond("lastActivityAt", "within", "90d"), []string{"Ada Lovelace"}},
		{"time empty", cond("lastActivityAt", "isEmpty", true), []string{"Cy Young"}},
		{"time lt", cond("createdAt", "lt", "2000-01-01"), []string{}},
		{"tags by new name", cond("tags", "contains", "vips"), []string{"Ada Lovelace"}},
		{"tags old name", cond("tags", "contains", "vip-list"), []string{}},
		{"tags all of", cond("tags", "contains", []string{"VIPs", "purchase-intent"}), []string{"Ada Lovelace"}},
		{"tags any of", cond("tags", "in", []string{"VIPs", "purchase-intent", "nope"}), []string{"Ada Lovelace", "Bob Builder"}},
		{"tags empty", cond("tags", "isEmpty", true), []string{"Cy Young"}},
		{"custom number", cond("customFields.budget", "gte", 1000), []string{"Ada Lovelace"}},
		{"custom decimal", cond("customFields.price", "lt", 50), []string{"Bob Builder"}},
		{"custom enum", cond("customFields.tier", "eq", "silver"), []string{"Bob Builder"}},
		{"custom bool", cond("customFields.vip", "eq", true), []string{"Ada Lovelace"}},
		{"custom date", cond("customFields.renewal", "gt", "2026-06-01"), []string{"Bob Builder"}},
		{"custom empty", cond("customFields.tier", "isEmpty", true), []string{"Cy Young"}},
		{"or", map[string]any{"or": []any{cond("firstName", "eq", "Cy"), cond("customFields.vip", "eq", false)}}, []string{"Bob Builder", "Cy Young"}},
		{"not", map[string]any{"not": cond("lifecycleStage", "eq", "customer")}, []string{"Ada Lovelace", "Cy Young"}},
		{"the issue's example", map[string]any{"and": []any{cond("tags", "contains", "purchase-intent"),
			cond("lastActivityAt", "within", "90d"), cond("lifecycleStage", "ne", "customer")}}, []string{"Ada Lovelace"}},
	} {
		got := names(e.list(u, "/v1/contacts", "filter", filterJSON(t, tt.filter), "sort", "displayName"))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: found %v, want %v", tt.name, got, tt.want)
		}
	}

	r := e.want(e.do(u, "GET", "/v1/contacts?filter="+filterJSON(t, cond("customFields.gone", "eq", "x")), nil), http.StatusBadRequest)
	if !strings.Contains(r.field("filter/field"), "customFields.gone") {
		t.Errorf("a deleted custom field: %s", r.Raw)
	}

	// Long filters go in a body; the same filter, the same answer.
	body := map[string]any{"filter": cond("tags", "contains", "purchase-intent"), "sort": "-lastActivityAt", "limit": 10}
	if got := names(e.want(e.do(u, "POST", "/v1/contacts/search", body), 200)); !slices.Equal(got, []string{"Ada Lovelace", "Bob Builder"}) {
		t.Errorf("search body found %v", got)
	}

	// Accounts filter on their own fields.
	e.create(u, "accounts", map[string]any{"name": "Globex", "sizeBand": "51-200", "annualRevenue": map[string]any{"amountMinor": 500000, "currency": "EUR"}})
	for _, tt := range []struct {
		filter any
		want   []string
	}{
		{cond("sizeBand", "eq", "51-200"), []string{"Globex"}},
		{cond("annualRevenue.amountMinor", "gt", 100000), []string{"Globex"}},
		{cond("annualRevenue.currency", "eq", "EUR"), []string{"Globex"}},
		{cond("name", "startsWith", "ac"), []string{"Acme"}},
	} {
		if got := names(e.list(u, "/v1/accounts", "filter", filterJSON(t, tt.filter))); !slices.Equal(got, tt.want) {
			t.Errorf("accounts %v: found %v, want %v", tt.filter, got, tt.want)
		}
	}
}

func TestFilterErrors(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	deep := cond("firstName", "eq", "x")
	for range 11 {
		deep = map[string]any{"not": deep}
	}
	many := []any{}
	for i := range 201 {
		many = append(many, cond("firstName", "eq", fmt.Sprint(i)))
	}
	for _, tt := range []struct {
		name, param, value, field, reason string
	}{
		{"unknown field", "filter", filterJSON(t, map[string]any{"and": []any{cond("colour", "eq", "red")}}), "filter/and/0/field", `"colour"`},
		{"unknown op", "filter", filterJSON(t, cond("firstName", "like", "x")), "filter/op", `"like"`},
		{"op of another type", "filter", filterJSON(t, cond("createdAt", "contains", "x")), "filter/op", `"contains"`},
		{"bad value", "filter", filterJSON(t, cond("accountId", "eq", "nope")), "filter/value", "UUID"},
		{"too deep", "filter", filterJSON(t, deep), "", "deeper than 10"},
		{"too many", "filter", filterJSON(t, map[string]any{"or": many}), "", "200"},
		{"malformed", "filter", "{", "filter", "malformed"},
		{"unknown sort", "sort", "shoeSize", "sort", `"shoeSize"`},
		{"unsortable", "sort", "jobTitle", "sort", "not sortable"},
		{"long q", "q", strings.Repeat("x", 201), "q", "200"},
		{"bad cursor", "cursor", "garbage", "cursor", "cursor"},
		{"unknown view", "view", uuid.NewString(), "view", "no such"},
	} {
		r := e.do(u, "GET", "/v1/contacts?"+tt.param+"="+urlQuery(tt.value), nil)
		if r.Status != http.StatusBadRequest && !(tt.param == "view" && r.Status == http.StatusNotFound) {
			t.Errorf("%s: status %d: %s", tt.name, r.Status, r.Raw)
			continue
		}
		found := false
		for _, fe := range r.problem().Errors {
			if (tt.field == "" || fe.Field == tt.field) && strings.Contains(fe.Reason, tt.reason) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: errors do not name %s (%s): %s", tt.name, tt.field, tt.reason, r.Raw)
		}
	}
}
