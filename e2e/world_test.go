package e2e

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/auth"
)

// builtinRoles are the gateway's built-in roles and their permissions, as
// services/gateway/README.md documents them.
var builtinRoles = []struct {
	name  string
	perms []string
}{
	{"admin", []string{"*"}},
	{"manager", []string{"contacts:*", "sales:*", "support:*", "marketing:read", "reporting:read", "reporting:write", "users:read", "teams:read", "roles:read"}},
	{"sales_rep", []string{"contacts:read", "contacts:write", "sales:read", "sales:write", "reporting:read"}},
	{"marketer", []string{"contacts:read", "marketing:read", "marketing:write", "marketing:send", "reporting:read", "reporting:write"}},
	{"support_agent", []string{"contacts:read", "contacts:write", "support:read", "support:write"}},
	{"support_manager", []string{"contacts:read", "contacts:write", "support:*", "reporting:read", "reporting:write", "users:read", "teams:read"}},
	{"analyst", []string{"contacts:read", "sales:read", "marketing:read", "support:read", "reporting:*"}},
	{"read_only", []string{"contacts:read", "sales:read", "marketing:read", "support:read", "reporting:read"}},
	{"integration", []string{"contacts:*", "sales:*", "marketing:*", "support:*", "reporting:read", "webhooks:read", "webhooks:manage"}},
}

// apiKeyScopes are the scopes of each tenant's integration API key.
var apiKeyScopes = []string{"contacts:*"}

// world is the shared scene: one stack, tenants A and B, each with a user
// per built-in role, an API key and records of its own.
type world struct {
	st   *stack.Stack
	a, b *side
}

// side is one tenant as the tests see it.
type side struct {
	name     string // "A" or "B"
	tenant   *stack.Tenant
	callers  []caller // one per built-in role, then the API key
	fixture  fixture
	userIDs  []string
	readOnly *stack.User
}

// caller is a principal that calls the API: a signed-in user or an API key.
type caller struct {
	name  string // the role, or "api_key"
	token string
	perms auth.Principal // only Permissions is set: what the caller may do
}

// newWorld starts the stack and sets up both tenants.
func newWorld(t *testing.T) *world {
	t.Helper()
	st := stack.Start(t, bins)
	w := &world{st: st}
	w.a = newSide(t, st, "A")
	w.b = newSide(t, st, "B")
	return w
}

// newSide creates a tenant with a user per built-in role (the admin made by
// the admin API, the others invited), an API key of the integration user,
// and its fixture records.
func newSide(t *testing.T, st *stack.Stack, name string) *side {
	t.Helper()
	slug := "e2e-" + lower(name) + "-" + letters(6)
	tn := st.CreateTenant(t, slug)
	s := &side{name: name, tenant: tn, userIDs: []string{tn.Admin.ID}}
	base := st.GatewayURL
	// A role that may only issue API keys lets the integration user own one.
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/roles", Token: tn.Admin.Token,
		Body: map[string]any{"name": "key_issuer", "description": "issues API keys", "permissions": []string{"api-keys:manage"}, "recordScopes": map[string]string{}}},
		http.StatusCreated, nil)
	var key string
	for _, r := range builtinRoles {
		u := tn.Admin
		if r.name != "admin" {
			roles := []string{r.name}
			if r.name == "integration" {
				roles = append(roles, "key_issuer")
			}
			u = st.Invite(t, tn, r.name+"@"+slug+".test", roles)
			s.userIDs = append(s.userIDs, u.ID)
			if r.name == "integration" {
				key = st.APIKey(t, u, apiKeyScopes)
				// Back to the plain built-in role, and a token that says so.
				stack.Must(t, stack.Request{Method: http.MethodPatch, URL: base + "/v1/users/" + u.ID, Token: tn.Admin.Token,
					Body: map[string]any{"roles": []string{"integration"}}}, http.StatusOK, nil)
				u.Token = st.Login(t, slug, u.Email, u.Password)
			}
			if r.name == "read_only" {
				s.readOnly = u
			}
		}
		s.callers = append(s.callers, caller{name: r.name, token: u.Token, perms: auth.Principal{Permissions: r.perms}})
	}
	s.callers = append(s.callers, caller{name: "api_key", token: key, perms: auth.Principal{Permissions: apiKeyScopes}})
	s.fixture = newFixture(t, base, tn.Admin.Token, tn.Slug)
	return s
}

// letters returns n random lower-case letters: marker text that no other
// record shares and that search tokenises as one word.
func letters(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return string(b)
}

func lower(s string) string { return fmt.Sprintf("%c", s[0]|0x20) + s[1:] }
