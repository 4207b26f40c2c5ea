package contacts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// TestHostileBodiesGetNamedErrors sends what a careless or hostile client
// sends: every answer is a 400 naming the field by its JSON path as sent and
// the JSON type it takes, never a 500, and nothing is written.
func TestHostileBodiesGetNamedErrors(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	contact := e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "Ada"}), http.StatusCreated)
	id := contact.id()
	etag := contact.Header.Get("ETag")
	tests := []struct {
		name, method, path, body string
		field, detail            string
	}{
		{"NUL in a name", "POST", "/v1/contacts", `{"firstName":"Ada\u0000"}`, "firstName", "U+0000"},
		{"NUL in an email", "POST", "/v1/contacts", `{"firstName":"Ada","emails":[{"address":"a\u0000@b.c"}]}`, "emails/0/address", "U+0000"},
		{"NUL in an account name", "POST", "/v1/accounts", `{"name":"Acme\u0000"}`, "name", "U+0000"},
		{"NUL in a tag", "POST", "/v1/tags", `{"name":"v\u0000ip"}`, "name", "U+0000"},
		{"escape sequence in a name", "POST", "/v1/contacts", `{"firstName":"\u001b[2J"}`, "firstName", "U+001B"},
		{"NUL in a search", "POST", "/v1/contacts/search", `{"q":"\u0000"}`, "q", "U+0000"},
		{"NUL in a patch", "PATCH", "/v1/contacts/" + id, `{"lastName":"Love\u0000lace"}`, "lastName", "U+0000"},
		{"invalid UTF-8", "POST", "/v1/contacts", "{\"firstName\":\"Ada\xc3\"}", "firstName", "not valid UTF-8"},
		{"duplicate key", "POST", "/v1/contacts", `{"firstName":"Ada","firstName":"Bob"}`, "firstName", "appears more than once"},
		{"duplicate key in a patch", "PATCH", "/v1/contacts/" + id, `{"jobTitle":"CEO","jobTitle":"CTO"}`, "jobTitle", "appears more than once"},
		{"emails as a string", "POST", "/v1/contacts", `{"firstName":"Ada","emails":"a@b.c"}`, "emails", "must be an array, not a string"},
		{"tags as a string", "POST", "/v1/contacts", `{"firstName":"Ada","tags":"vip"}`, "tags", `field "tags" must be an array, not a string`},
		{"address as an array", "POST", "/v1/contacts", `{"firstName":"Ada","address":[]}`, "address", "must be an object, not an array"},
		{"tags as a string in a patch", "PATCH", "/v1/contacts/" + id, `{"tags":"vip"}`, "tags", `field "tags" must be an array`},
		{"truncated body", "POST", "/v1/contacts", `{"firstName":"x",`, "", "at byte offset 17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r reply
			if tt.method == "PATCH" {
				r = e.do(u, tt.method, tt.path, tt.body, "If-Match", etag)
			} else {
				r = e.do(u, tt.method, tt.path, tt.body)
			}
			if r.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.Status, r.Raw)
			}
			if detail := r.problem().Detail; !strings.Contains(detail, tt.detail) {
				t.Errorf("detail %q does not say %q", detail, tt.detail)
			}
			if tt.field != "" && r.field(tt.field) == "" {
				t.Errorf("problem does not name field %q: %s", tt.field, r.Raw)
			}
			for _, f := range []string{"Meta", "Contact", "Account"} {
				if strings.Contains(string(r.Raw), f+"/") || strings.Contains(string(r.Raw), f+".") {
					t.Errorf("problem names an internal type %s: %s", f, r.Raw)
				}
			}
		})
	}
	list := e.want(e.do(u, "GET", "/v1/contacts", nil), http.StatusOK)
	if stored := items[customer.Contact](list); len(stored) != 1 {
		t.Errorf("%d contacts stored, want only the first: %s", len(stored), list.Raw)
	}
	if got := e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK).Header.Get("ETag"); got != etag {
		t.Errorf("the contact changed (ETag %s, was %s)", got, etag)
	}
}

// TestHostileQueriesGetNamedErrors sends NUL, control characters and invalid
// UTF-8 in query parameters: a 400 naming the parameter, never a 500.
func TestHostileQueriesGetNamedErrors(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, tt := range []struct{ query, field string }{
		{"q=%00", "q"}, {"q=ab%1B", "q"}, {"q=%C3", "q"}, {"sort=%00", "sort"}, {"cursor=%FF", "cursor"},
		{"filter=" + url.QueryEscape(`{"field":"firstName","op":"eq","value":"\u0000"}`), "filter/value"},
	} {
		r := e.raw(u, "GET", "/v1/contacts?"+tt.query)
		if r.Status != http.StatusBadRequest || r.field(tt.field) == "" {
			t.Errorf("GET /v1/contacts?%s: %d, want 400 naming %q: %s", tt.query, r.Status, tt.field, r.Raw)
		}
	}
}

// TestUnknownPathsAndMethodsAreProblems checks that what the router answers
// itself is problem+json like every other error: 405 with Allow, 404.
func TestUnknownPathsAndMethodsAreProblems(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, tt := range []struct {
		method, path, typ, allow string
		status                   int
	}{
		{"PUT", "/v1/contacts", "method-not-allowed", "GET, HEAD, POST", http.StatusMethodNotAllowed},
		{"POST", "/v1/contacts/" + uuid.NewString(), "method-not-allowed", "DELETE, GET, HEAD, PATCH", http.StatusMethodNotAllowed},
		{"GET", "/v1/contacts/" + uuid.NewString() + "/activities", "no-such-path", "", http.StatusNotFound},
		{"GET", "/v1/nothing", "no-such-path", "", http.StatusNotFound},
	} {
		r := e.raw(u, tt.method, tt.path)
		if r.Status != tt.status || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %s, want %d problem+json: %s", tt.method, tt.path, r.Status, r.Header.Get("Content-Type"), tt.status, r.Raw)
			continue
		}
		if got := r.problem().Type; !strings.HasSuffix(got, "/"+tt.typ) {
			t.Errorf("%s %s: type %q, want %s", tt.method, tt.path, got, tt.typ)
		}
		if got := r.Header.Get("Allow"); got != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, got, tt.allow)
		}
	}
}
