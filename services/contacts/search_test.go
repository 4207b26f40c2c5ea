package contacts_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// create makes a record of kind ("contacts" or "accounts") and returns its id.
func (e *env) create(u user, kind string, body map[string]any) string {
	e.t.Helper()
	return e.want(e.do(u, "POST", "/v1/"+kind+"?allowDuplicate=true", body), http.StatusCreated).id()
}

// named is what names reads of a page's items: a contact's display name or
// an account's name.
type named struct {
	DisplayName *string `json:"displayName"`
	Name        *string `json:"name"`
}

// names lists the display names (or names) of a page's items, in order; an
// item with neither fails the test.
func names(r reply) []string {
	r.T.Helper()
	out := []string{}
	for _, it := range items[named](r) {
		switch {
		case it.DisplayName != nil:
			out = append(out, *it.DisplayName)
		case it.Name != nil:
			out = append(out, *it.Name)
		default:
			r.T.Fatalf("an item without displayName or name: %s", r.Raw)
		}
	}
	return out
}

// nextCursor returns the cursor of the page after r ("" at the end).
func nextCursor(r reply) string {
	r.T.Helper()
	return contracttest.Decode[customer.Page[json.RawMessage]](r).NextCursor
}

// list GETs path with the query params (name, value pairs) and wants 200.
func (e *env) list(u user, path string, params ...string) reply {
	e.t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return e.want(e.do(u, "GET", path+"?"+v.Encode(), nil), http.StatusOK)
}

func TestSearchQ(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	huawei := e.create(u, "accounts", map[string]any{"name": "华为技术有限公司", "domain": "huawei.com"})
	e.create(u, "accounts", map[string]any{"name": "Initech", "domain": "initech.com"})
	e.create(u, "contacts", map[string]any{"firstName": "伟", "lastName": "张", "accountId": huawei,
		"emails": []any{map[string]any{"address": "wei.zhang@example.com"}},
		"phones": []any{map[string]any{"number": "(415) 555-2671"}}})
	e.create(u, "contacts", map[string]any{"firstName": "芳", "lastName": "王"})
	e.create(u, "contacts", map[string]any{"firstName": "Katherine", "lastName": "Johnson",
		"emails": []any{map[string]any{"address": "kj@acme.io"}, map[string]any{"address": "kathy@home.example"}}})
	e.create(u, "contacts", map[string]any{"firstName": "Alexander", "lastName": "Smith",
		"phones": []any{map[string]any{"number": "+44 20 7946 0958"}}})
	e.create(u, "contacts", map[string]any{"firstName": "Alex", "lastName": "Kathmann"})

	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"张", []string{"张伟"}},
		{"华为", []string{"张伟"}},
		{"华为技术", []string{"张伟"}},
		{"王", []string{"王芳"}},
		{"kath", []string{"Katherine Johnson", "Alex Kathmann"}},
		{"Kathrine", []string{"Katherine Johnson"}},               // a typo
		{"alexander smith", []string{"Alexander Smith"}},          // exact name first
		{"wei.zhang@", []string{"张伟"}},                            // email prefix
		{"WEI.ZHANG@EXAMPLE.COM", []string{"张伟"}},                 // full email
		{"kathy", []string{"Katherine Johnson", "Alex Kathmann"}}, // a word of a second email, then a typo
		{"5552671", []string{"张伟"}},                               // phone suffix
		{"+1 415 555", []string{"张伟"}},                            // phone prefix
		{"7946 0958", []string{"Alexander Smith"}},                // suffix of +44 20 7946 0958
		{"nobody-here", []string{}},
	} {
		got := names(e.list(u, "/v1/contacts", "q", tt.q))
		if !slices.Equal(got, tt.want) {
			t.Errorf("q=%q found %v, want %v", tt.q, got, tt.want)
		}
	}
	if got := names(e.list(u, "/v1/accounts", "q", "华为")); !slices.Equal(got, []string{"华为技术有限公司"}) {
		t.Errorf("accounts q=华为 found %v", got)
	}
	if got := names(e.list(u, "/v1/accounts", "q", "initech.com")); !slices.Equal(got, []string{"Initech"}) {
		t.Errorf("accounts q=initech.com found %v", got)
	}

	// An account rename reaches its contacts' search text.
	e.want(e.do(u, "PATCH", "/v1/accounts/"+huawei, map[string]any{"name": "荣耀终端"}, "If-Match", `"1"`), http.StatusOK)
	if got := names(e.list(u, "/v1/contacts", "q", "荣耀")); !slices.Equal(got, []string{"张伟"}) {
		t.Errorf("after the rename q=荣耀 found %v", got)
	}
	if got := names(e.list(u, "/v1/contacts", "q", "华为")); len(got) != 0 {
		t.Errorf("after the rename q=华为 still found %v", got)
	}

	// Search respects the record scope.
	own := user{tenant: u.tenant, id: uuid.NewString(), scope: "own", perms: []string{"contacts:*"}}
	e.create(own, "contacts", map[string]any{"firstName": "Zygmunt", "lastName": "Own"})
	if got := names(e.list(own, "/v1/contacts", "q", "z")); !slices.Equal(got, []string{"Zygmunt Own"}) {
		t.Errorf("own scope q=z found %v", got)
	}
	if got := names(e.list(u, "/v1/contacts", "q", "zygmunt")); !slices.Equal(got, []string{"Zygmunt Own"}) {
		t.Errorf("scope all q=zygmunt found %v", got)
	}
	other := newUser(uuid.NewString())
	if got := names(e.list(other, "/v1/contacts", "q", "张")); len(got) != 0 {
		t.Errorf("another tenant found %v", got)
	}
}

func TestSearchPagesByRelevance(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, n := range []string{"Ann", "Anna", "Annabel", "Annette", "Joanna", "Hannah", "Anne", "Annika"} {
		e.create(u, "contacts", map[string]any{"firstName": n, "lastName": "Lee"})
	}
	all := names(e.list(u, "/v1/contacts", "q", "ann", "limit", "200"))
	var paged []string
	cursor := ""
	for range 10 {
		params := []string{"q", "ann", "limit", "3"}
		if cursor != "" {
			params = append(params, "cursor", cursor)
		}
		r := e.list(u, "/v1/contacts", params...)
		paged = append(paged, names(r)...)
		if cursor = nextCursor(r); cursor == "" {
			break
		}
	}
	if !slices.Equal(all, paged) || len(all) < 6 {
		t.Errorf("pages %v, want %v", paged, all)
	}
	if all[0] != "Ann Lee" {
		t.Errorf("the exact name is not first: %v", all)
	}
	r := e.do(u, "GET", "/v1/contacts?sort=lastName&cursor="+url.QueryEscape(cursor), nil)
	if cursor != "" && r.Status != http.StatusBadRequest {
		t.Errorf("a cursor of another order: %d", r.Status)
	}
}

// urlQuery escapes a query parameter value.
func urlQuery(s string) string { return url.QueryEscape(s) }
