package stack

import (
	"net/http"
	"testing"
)

// Tenant is a tenant made through the admin API, with its users.
type Tenant struct {
	ID, Slug string
	Admin    *User
}

// User is an active user of a tenant, signed in.
type User struct {
	ID, Email, Password string
	Roles               []string
	Token               string // a user access token (audience rapport)
}

// invitation is the part of an Invitation the tests use.
type invitation struct {
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	InvitationToken string `json:"invitationToken"`
}

// CreateTenant makes tenant slug with the platform token, activates its
// administrator (admin@<slug>.test) and signs them in.
func (s *Stack) CreateTenant(t testing.TB, slug string) *Tenant {
	t.Helper()
	var created struct {
		Tenant struct {
			ID string `json:"id"`
		} `json:"tenant"`
		Admin invitation `json:"admin"`
	}
	email := "admin@" + slug + ".test"
	Must(t, Request{Method: http.MethodPost, URL: s.GatewayURL + "/admin/v1/tenants", Token: s.PlatformToken,
		Body: map[string]any{"slug": slug, "name": "Tenant " + slug, "tier": "shared", "domains": []string{},
			"admin": map[string]string{"email": email, "name": "Admin " + slug}}}, http.StatusCreated, &created)
	tn := &Tenant{ID: created.Tenant.ID, Slug: slug}
	tn.Admin = s.activate(t, tn, created.Admin, email, []string{"admin"})
	return tn
}

// Invite has the tenant's administrator invite email with roles, accepts
// the invitation and signs the user in.
func (s *Stack) Invite(t testing.TB, tn *Tenant, email string, roles []string) *User {
	t.Helper()
	var inv invitation
	Must(t, Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/users", Token: tn.Admin.Token,
		Body: map[string]any{"email": email, "name": email, "roles": roles}}, http.StatusCreated, &inv)
	return s.activate(t, tn, inv, email, roles)
}

// activate accepts inv with a fresh password and signs the user in.
func (s *Stack) activate(t testing.TB, tn *Tenant, inv invitation, email string, roles []string) *User {
	t.Helper()
	u := &User{ID: inv.User.ID, Email: email, Password: "pw-" + randomHex(8), Roles: roles}
	Must(t, Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/auth/accept-invitation",
		Body: map[string]string{"token": inv.InvitationToken, "password": u.Password}}, http.StatusOK, nil)
	u.Token = s.Login(t, tn.Slug, email, u.Password)
	return u
}

// Login signs in with a password and returns the access token.
func (s *Stack) Login(t testing.TB, slug, email, password string) string {
	t.Helper()
	var pair struct {
		AccessToken string `json:"accessToken"`
	}
	Must(t, Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/auth/login",
		Body: map[string]string{"tenant": slug, "email": email, "password": password}}, http.StatusOK, &pair)
	return pair.AccessToken
}

// APIKey has user (who must hold api-keys:manage) create an API key with
// scopes and returns its secret.
func (s *Stack) APIKey(t testing.TB, user *User, scopes []string) string {
	t.Helper()
	var key struct {
		Secret string `json:"secret"`
	}
	Must(t, Request{Method: http.MethodPost, URL: s.GatewayURL + "/v1/api-keys", Token: user.Token,
		Body: map[string]any{"name": "e2e key", "scopes": scopes}}, http.StatusCreated, &key)
	return key.Secret
}
