package e2e

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/auth"
)

// testUnauthorised sends forged, foreign and insufficient credentials
// through the gateway (and, for tokens, straight to the service).
func testUnauthorised(t *testing.T, w *world) {
	st, a, b := w.st, w.a, w.b
	gw, svc := st.GatewayURL, st.ContactsURL
	aContact := "/v1/contacts/" + a.fixture.ContactID

	// An internal token is the gateway's own kind, signed with its key and
	// kid, claiming A's administrator: only a service may accept it.
	signer, err := auth.NewSignerFromKey(st.SigningKey, gatewayKid(t, gw))
	if err != nil {
		t.Fatal(err)
	}
	claim := auth.Principal{TenantID: a.tenant.ID, UserID: a.tenant.Admin.ID, Roles: []string{"admin"},
		Permissions: []string{"*"}, RecordScope: map[string]auth.Scope{"*": auth.ScopeAll}}
	sign := func(audience string) string {
		tok, err := signer.Sign(claim, audience, auth.DefaultTTL)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	foreign, err := auth.NewSigner() // a key the gateway never published
	if err != nil {
		t.Fatal(err)
	}
	forged, err := foreign.Sign(claim, "contacts", auth.DefaultTTL)
	if err != nil {
		t.Fatal(err)
	}
	spoof := map[string]string{
		"X-Tenant-Id": a.tenant.ID, "X-User-Id": a.tenant.Admin.ID,
		"X-Tenant-Slug": a.tenant.Slug, "X-User-Roles": "admin", "X-Internal-Token": sign("contacts"),
	}
	newContact := map[string]any{"firstName": "Nobody", "lastName": "Special"}

	tests := []struct {
		name   string
		req    stack.Request
		want   int
		victim *side // when set, the answer must not leak this side's data
	}{
		{"no token", stack.Request{Method: "GET", URL: gw + "/v1/contacts"}, 401, a},
		{"no token by id", stack.Request{Method: "GET", URL: gw + aContact}, 401, a},
		{"garbage token", stack.Request{Method: "GET", URL: gw + "/v1/contacts", Token: "not-a-jwt"}, 401, a},
		{"unknown api key", stack.Request{Method: "GET", URL: gw + "/v1/contacts", Token: "rpk_abcdefgh_" + letters(32)}, 401, a},
		{"internal token at the gateway", stack.Request{Method: "GET", URL: gw + aContact, Token: sign("contacts")}, 401, a},
		{"token of another audience at the gateway", stack.Request{Method: "GET", URL: gw + aContact, Token: sign("sales")}, 401, a},
		{"user token at the service", stack.Request{Method: "GET", URL: svc + aContact, Token: a.tenant.Admin.Token}, 401, a},
		{"token of another audience at the service", stack.Request{Method: "GET", URL: svc + aContact, Token: sign("sales")}, 401, a},
		{"token of a foreign key at the service", stack.Request{Method: "GET", URL: svc + aContact, Token: forged}, 401, a},
		{"spoofed headers without a token", stack.Request{Method: "GET", URL: gw + aContact, Header: spoof}, 401, a},
		{"spoofed headers get", stack.Request{Method: "GET", URL: gw + aContact, Token: b.readOnly.Token, Header: spoof}, 404, a},
		{"spoofed headers list", stack.Request{Method: "GET", URL: gw + "/v1/contacts?limit=200", Token: b.readOnly.Token, Header: spoof}, 200, a},
		{"spoofed headers admin write", stack.Request{Method: "PATCH", URL: gw + aContact, Token: b.tenant.Admin.Token, Header: merge(spoof, map[string]string{"If-Match": `"1"`}), Body: map[string]any{"jobTitle": "pwned"}}, 404, a},
		{"read_only creates", stack.Request{Method: "POST", URL: gw + "/v1/contacts", Token: b.readOnly.Token, Body: newContact}, 403, nil},
		{"read_only creates with spoofed headers", stack.Request{Method: "POST", URL: gw + "/v1/contacts", Token: b.readOnly.Token, Body: newContact, Header: spoof}, 403, nil},
		{"read_only creates a tag", stack.Request{Method: "POST", URL: gw + "/v1/tags", Token: b.readOnly.Token, Body: map[string]any{"name": "nope"}}, 403, nil},
		{"read_only invites", stack.Request{Method: "POST", URL: gw + "/v1/users", Token: b.readOnly.Token, Body: map[string]any{"email": "x@y.test", "roles": []string{"admin"}}}, 403, nil},
		{"user token on the admin API", stack.Request{Method: "GET", URL: gw + "/admin/v1/tenants", Token: b.tenant.Admin.Token}, 401, a},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := stack.Do(t, tt.req)
			if res.Status != tt.want {
				t.Errorf("status = %d, want %d; body %s", res.Status, tt.want, res.Body)
			}
			if tt.victim != nil {
				assertNoLeak(t, res.Body, tt.victim.fixture, tt.req.URL != gw+aContact && tt.req.URL != svc+aContact)
			}
		})
	}
}

// gatewayKid returns the kid of the first key the gateway publishes.
func gatewayKid(t *testing.T, gw string) string {
	t.Helper()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	res := stack.Must(t, stack.Request{Method: "GET", URL: gw + "/.well-known/jwks.json"}, http.StatusOK, nil)
	if err := json.Unmarshal(res.Body, &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("jwks %s: %v", res.Body, err)
	}
	return set.Keys[0].Kid
}

func merge(a, b map[string]string) map[string]string {
	m := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}
