package identity

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
)

// member invites a user with roles and teams, activates them and returns
// their tokens.
func (e *env) member(t *testing.T, admin TokenPair, email string, roles []string, teams []TeamMembership) (User, TokenPair) {
	t.Helper()
	var inv Invitation
	body := map[string]any{"email": email, "name": "Member", "roles": roles}
	if teams != nil {
		body["teams"] = teams
	}
	e.c.call(t, "POST", "/v1/users", bearer(admin.AccessToken), body, 201, &inv)
	var pair TokenPair
	e.c.call(t, "POST", "/v1/auth/accept-invitation", nil, map[string]string{
		"token": inv.InvitationToken, "password": "member-password-1"}, 200, &pair)
	return inv.User, pair
}

func TestTeamHierarchySubordinates(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	team := func(name string, parent *Team) Team {
		body := map[string]any{"name": name}
		if parent != nil {
			body["parentId"] = parent.ID
		}
		var out Team
		e.c.call(t, "POST", "/v1/teams", bearer(admin.AccessToken), body, 201, &out)
		return out
	}
	sales := team("Sales", nil)
	east := team("East", &sales)
	boston := team("Boston", &east)
	west := team("West", &sales)
	support := team("Support", nil)

	_, mgr := e.member(t, admin, "boss@acme.test", []string{"manager"}, []TeamMembership{{TeamID: sales.ID, Manager: true}, {TeamID: support.ID}})
	_, rep := e.member(t, admin, "rep@acme.test", []string{"sales_rep"}, []TeamMembership{{TeamID: east.ID}})

	var me Me
	e.c.call(t, "GET", "/v1/me", bearer(mgr.AccessToken), nil, 200, &me)
	want := []string{east.ID, boston.ID, west.ID}
	slices.Sort(want)
	if got := me.Subordinates; !slices.Equal(got, want) {
		t.Errorf("manager's subordinates = %v, want %v (east, boston, west)", got, want)
	}
	if got := me.RecordScopes["*"]; got != auth.ScopeTeam {
		t.Errorf("manager's record scope = %q, want team", got)
	}
	e.c.call(t, "GET", "/v1/me", bearer(rep.AccessToken), nil, 200, &me)
	if len(me.Subordinates) != 0 || me.RecordScopes["*"] != auth.ScopeOwn {
		t.Errorf("rep: subordinates %v scope %v, want none and own", me.Subordinates, me.RecordScopes)
	}
	// A team cannot move under its own descendant.
	raw := e.c.call(t, "PATCH", "/v1/teams/"+sales.ID, bearer(admin.AccessToken), map[string]any{"parentId": boston.ID}, 409, nil)
	if problemType(t, raw) != "team-cycle" {
		t.Errorf("cycle: %s", raw)
	}
	// The rep may not manage teams.
	e.c.call(t, "POST", "/v1/teams", bearer(rep.AccessToken), map[string]any{"name": "Mine"}, 403, nil)
}

func TestRoleManagement(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	var roles RolePage
	e.c.call(t, "GET", "/v1/roles?limit=200", bearer(admin.AccessToken), nil, 200, &roles)
	var names []string
	var adminRole Role
	for _, r := range roles.Items {
		names = append(names, r.Name)
		if r.Name == AdminRole {
			adminRole = r
		}
	}
	slices.Sort(names)
	want := []string{"admin", "analyst", "integration", "manager", "marketer", "read_only", "sales_rep", "support_agent", "support_manager"}
	if !slices.Equal(names, want) {
		t.Fatalf("built-in roles = %v, want %v", names, want)
	}
	e.c.call(t, "PATCH", "/v1/roles/"+adminRole.ID, bearer(admin.AccessToken), map[string]any{"name": "boss"}, 409, nil)

	var custom Role
	e.c.call(t, "POST", "/v1/roles", bearer(admin.AccessToken), map[string]any{
		"name": "quote_approver", "permissions": []string{"sales:read", "sales:approve", "users:read"},
		"recordScopes": map[string]string{"sales": "all"}}, 201, &custom)
	e.c.call(t, "POST", "/v1/roles", bearer(admin.AccessToken), map[string]any{"name": "quote_approver"}, 409, nil)
	e.c.call(t, "POST", "/v1/roles", bearer(admin.AccessToken), map[string]any{"name": "x", "permissions": []string{"not a permission"}}, 400, nil)
	_, approver := e.member(t, admin, "approver@acme.test", []string{"quote_approver", "sales_rep"}, nil)
	var me Me
	e.c.call(t, "GET", "/v1/me", bearer(approver.AccessToken), nil, 200, &me)
	if !slices.Contains(me.Permissions, "sales:approve") || me.RecordScopes["sales"] != auth.ScopeAll || me.RecordScopes["*"] != auth.ScopeOwn {
		t.Errorf("merged grants: %v %v", me.Permissions, me.RecordScopes)
	}
	// users:read lets the approver list users but not invite them.
	e.c.call(t, "GET", "/v1/users", bearer(approver.AccessToken), nil, 200, nil)
	e.c.call(t, "POST", "/v1/users", bearer(approver.AccessToken), map[string]any{"email": "x@acme.test"}, 403, nil)

	var updated Role
	e.c.call(t, "PATCH", "/v1/roles/"+custom.ID, bearer(admin.AccessToken), map[string]any{"description": "approves quotes"}, 200, &updated)
	if updated.Version != 2 || updated.Description != "approves quotes" {
		t.Errorf("updated role = %+v", updated)
	}
	hdr := bearer(admin.AccessToken)
	hdr.Set("If-Match", `"1"`)
	e.c.call(t, "PATCH", "/v1/roles/"+custom.ID, hdr, map[string]any{"description": "stale"}, 412, nil)
	e.c.call(t, "DELETE", "/v1/roles/"+custom.ID, bearer(admin.AccessToken), nil, 204, nil)
	e.c.call(t, "GET", "/v1/roles/"+custom.ID, bearer(admin.AccessToken), nil, 404, nil)
}

func TestUserManagement(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	u, pair := e.member(t, admin, "Mixed.Case@acme.test", []string{"sales_rep"}, nil)
	e.c.call(t, "POST", "/v1/users", bearer(admin.AccessToken), map[string]any{"email": "mixed.case@ACME.test"}, 409, nil)
	var got User
	e.c.call(t, "PATCH", "/v1/users/"+u.ID, bearer(admin.AccessToken), map[string]any{"timeZone": "Europe/Paris", "roles": []string{"analyst"}}, 200, &got)
	if got.TimeZone != "Europe/Paris" || !slices.Equal(got.Roles, []string{"analyst"}) {
		t.Errorf("updated user = %+v", got)
	}
	e.c.call(t, "PATCH", "/v1/users/"+u.ID, bearer(admin.AccessToken), map[string]any{"timeZone": "Mars/Base"}, 400, nil)
	e.c.call(t, "POST", "/v1/users/"+u.ID+"/disable", bearer(admin.AccessToken), nil, 200, &got)
	if got.Status != UserDisabled {
		t.Errorf("status %q, want disabled", got.Status)
	}
	e.c.call(t, "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": pair.RefreshToken}, 401, nil)
	e.c.call(t, "POST", "/v1/auth/login", nil, map[string]string{"tenant": "acme", "email": u.Email, "password": "member-password-1"}, 401, nil)
	var page UserPage
	e.c.call(t, "GET", "/v1/users?limit=1", bearer(admin.AccessToken), nil, 200, &page)
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("first page = %+v", page)
	}
	var next UserPage
	e.c.call(t, "GET", "/v1/users?limit=1&cursor="+page.NextCursor, bearer(admin.AccessToken), nil, 200, &next)
	if len(next.Items) != 1 || next.Items[0].ID == page.Items[0].ID {
		t.Errorf("second page = %+v", next)
	}
}

func TestAPIKeys(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	var key CreatedAPIKey
	e.c.call(t, "POST", "/v1/api-keys", bearer(admin.AccessToken), map[string]any{
		"name": "sync", "scopes": []string{"contacts:read", "users:read"}}, 201, &key)
	if len(key.Prefix) != len("rpk_")+8 || key.Secret[:len(key.Prefix)] != key.Prefix {
		t.Fatalf("key %q with prefix %q", key.Secret, key.Prefix)
	}
	var me Me
	e.c.call(t, "GET", "/v1/me", bearer(key.Secret), nil, 200, &me)
	if !slices.Equal(me.Permissions, []string{"contacts:read", "users:read"}) || !slices.Equal(me.Scopes, []string{"contacts:read", "users:read"}) {
		t.Errorf("key grants %v scopes %v", me.Permissions, me.Scopes)
	}
	e.c.call(t, "GET", "/v1/users", http.Header{"X-API-Key": {key.Secret}}, nil, 200, nil)
	// Scopes limit the key: users:manage is not among them.
	e.c.call(t, "POST", "/v1/users", bearer(key.Secret), map[string]any{"email": "x@acme.test"}, 403, nil)
	// A tampered secret with a genuine prefix fails.
	e.c.call(t, "GET", "/v1/me", bearer(key.Secret[:len(key.Secret)-2]+"xx"), nil, 401, nil)
	// The secret is never shown again, and last use is written in batches.
	if err := e.s.FlushLastUsed(context.Background()); err != nil {
		t.Fatal(err)
	}
	var listed APIKeyPage
	raw := e.c.call(t, "GET", "/v1/api-keys", bearer(admin.AccessToken), nil, 200, &listed)
	if len(listed.Items) != 1 || listed.Items[0].LastUsedAt == nil {
		t.Errorf("listed keys = %s", raw)
	}
	if bytesContains(raw, key.Secret) {
		t.Error("the list shows the secret")
	}
	// Revocation takes effect at once.
	e.c.call(t, "DELETE", "/v1/api-keys/"+key.ID, bearer(admin.AccessToken), nil, 204, nil)
	e.c.call(t, "GET", "/v1/me", bearer(key.Secret), nil, 401, nil)

	// Expired keys fail.
	var short CreatedAPIKey
	e.c.call(t, "POST", "/v1/api-keys", bearer(admin.AccessToken), map[string]any{
		"name": "short", "scopes": []string{"contacts:read"}, "expiresAt": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, 201, &short)
	e.c.call(t, "GET", "/v1/me", bearer(short.Secret), nil, 200, nil)
	e.s.apiKeys.forget(short.ID)
	e.s.now = func() time.Time { return pg.Now().Add(2 * time.Hour) }
	e.c.call(t, "GET", "/v1/me", bearer(short.Secret), nil, 401, nil)
	e.s.now = pg.Now

	// A key cannot hold what its creator lacks.
	_, rep := e.member(t, admin, "rep@acme.test", []string{"sales_rep", "integration"}, nil)
	e.c.call(t, "POST", "/v1/api-keys", bearer(rep.AccessToken), map[string]any{"name": "x", "scopes": []string{"users:manage"}}, 403, nil)
}

func TestSuspendedTenantIsRefused(t *testing.T) {
	e := setup(t)
	tenant, admin := e.tenant(t, "acme")
	var key CreatedAPIKey
	e.c.call(t, "POST", "/v1/api-keys", bearer(admin.AccessToken), map[string]any{"name": "k", "scopes": []string{"contacts:read"}}, 201, &key)
	e.c.call(t, "POST", "/admin/v1/tenants/"+tenant.ID+"/suspend", platformAuth(), nil, 200, nil)
	login := map[string]string{"tenant": "acme", "email": "admin@acme.test", "password": "admin-password-1"}
	tests := []struct {
		name, method, path string
		hdr                map[string][]string
		body               any
	}{
		{"login", "POST", "/v1/auth/login", nil, login},
		{"access token", "GET", "/v1/me", bearer(admin.AccessToken), nil},
		{"api key", "GET", "/v1/me", bearer(key.Secret), nil},
		{"refresh", "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": admin.RefreshToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.c.call(t, tt.method, tt.path, tt.hdr, tt.body, 401, nil)
		})
	}
	e.c.call(t, "POST", "/admin/v1/tenants/"+tenant.ID+"/resume", platformAuth(), nil, 200, nil)
	e.c.call(t, "POST", "/v1/auth/login", nil, login, 200, nil)
	e.c.call(t, "DELETE", "/admin/v1/tenants/"+tenant.ID, platformAuth(), nil, 204, nil)
	e.c.call(t, "POST", "/v1/auth/login", nil, login, 401, nil)
	e.c.call(t, "POST", "/admin/v1/tenants/"+tenant.ID+"/resume", platformAuth(), nil, 404, nil)
}

func TestAdminAPI(t *testing.T) {
	e := setup(t)
	body := map[string]any{"slug": "acme", "name": "Acme", "domains": []string{"acme.example"}, "admin": map[string]string{"email": "ops@acme.example"}}
	for name, hdr := range map[string]map[string][]string{
		"no token":    nil,
		"wrong token": bearer("platform-token-for-tests-012345678X"),
	} {
		t.Run(name, func(t *testing.T) {
			e.c.call(t, "POST", "/admin/v1/tenants", hdr, body, 401, nil)
			e.c.call(t, "GET", "/admin/v1/tenants", hdr, nil, 401, nil)
		})
	}
	var created CreatedTenant
	e.c.call(t, "POST", "/admin/v1/tenants", platformAuth(), body, 201, &created)
	if created.Admin.User.Status != UserInvited || created.Admin.InvitationToken == "" || !slices.Equal(created.Admin.User.Roles, []string{AdminRole}) {
		t.Errorf("created admin = %+v", created.Admin)
	}
	e.c.call(t, "POST", "/admin/v1/tenants", platformAuth(), body, 409, nil)
	var got Tenant
	e.c.call(t, "GET", "/admin/v1/tenants/"+created.Tenant.ID, platformAuth(), nil, 200, &got)
	if got.Slug != "acme" || got.Tier != TierShared || !slices.Equal(got.Domains, []string{"acme.example"}) {
		t.Errorf("tenant = %+v", got)
	}
	e.c.call(t, "PATCH", "/admin/v1/tenants/"+got.ID, platformAuth(), map[string]any{"name": "Acme Corp", "tier": "dedicated"}, 200, &got)
	if got.Name != "Acme Corp" || got.Tier != TierDedicated || got.Version != 2 {
		t.Errorf("updated tenant = %+v", got)
	}
	var page TenantPage
	e.c.call(t, "GET", "/admin/v1/tenants", platformAuth(), nil, 200, &page)
	if len(page.Items) != 1 {
		t.Errorf("tenants = %+v", page)
	}
	// A lost invitation is issued again; the earlier one stops working.
	var again Invitation
	e.c.call(t, "POST", "/admin/v1/tenants/"+created.Tenant.ID+"/invitation", nil, nil, 401, nil)
	e.c.call(t, "POST", "/admin/v1/tenants/"+created.Tenant.ID+"/invitation", platformAuth(), nil, 201, &again)
	if again.InvitationToken == "" || again.InvitationToken == created.Admin.InvitationToken || again.User.ID != created.Admin.User.ID {
		t.Errorf("new invitation = %+v", again)
	}
	e.c.call(t, "POST", "/v1/auth/accept-invitation", nil, map[string]string{"token": created.Admin.InvitationToken, "password": "admin-password-1"}, 400, nil)
	// A tenant user's token is no platform token.
	var pair TokenPair
	e.c.call(t, "POST", "/v1/auth/accept-invitation", nil, map[string]string{"token": again.InvitationToken, "password": "admin-password-1"}, 200, &pair)
	e.c.call(t, "POST", "/admin/v1/tenants/"+created.Tenant.ID+"/invitation", platformAuth(), nil, 409, nil)
	e.c.call(t, "POST", "/admin/v1/tenants/00000000-0000-0000-0000-000000000000/invitation", platformAuth(), nil, 404, nil)
	e.c.call(t, "GET", "/admin/v1/tenants", bearer(pair.AccessToken), nil, 401, nil)
	// An invitation works once.
	e.c.call(t, "POST", "/v1/auth/accept-invitation", nil, map[string]string{"token": again.InvitationToken, "password": "admin-password-2"}, 400, nil)
}

// TestTenantIsolation: tenant A's admin never sees tenant B's identities.
func TestTenantIsolation(t *testing.T) {
	e := setup(t)
	_, adminA := e.tenant(t, "alpha")
	_, adminB := e.tenant(t, "bravo")
	userB, _ := e.member(t, adminB, "secret@bravo.test", []string{"sales_rep"}, nil)
	var teamB Team
	e.c.call(t, "POST", "/v1/teams", bearer(adminB.AccessToken), map[string]any{"name": "B team"}, 201, &teamB)
	var keyB CreatedAPIKey
	e.c.call(t, "POST", "/v1/api-keys", bearer(adminB.AccessToken), map[string]any{"name": "b", "scopes": []string{"contacts:read"}}, 201, &keyB)
	var rolesB RolePage
	e.c.call(t, "GET", "/v1/roles", bearer(adminB.AccessToken), nil, 200, &rolesB)

	for _, path := range []string{"/v1/users/" + userB.ID, "/v1/teams/" + teamB.ID, "/v1/api-keys/" + keyB.ID, "/v1/roles/" + rolesB.Items[0].ID} {
		t.Run("get "+path, func(t *testing.T) {
			e.c.call(t, "GET", path, bearer(adminA.AccessToken), nil, 404, nil)
		})
	}
	e.c.call(t, "PATCH", "/v1/users/"+userB.ID, bearer(adminA.AccessToken), map[string]any{"name": "pwned"}, 404, nil)
	e.c.call(t, "POST", "/v1/users/"+userB.ID+"/disable", bearer(adminA.AccessToken), nil, 404, nil)
	e.c.call(t, "DELETE", "/v1/api-keys/"+keyB.ID, bearer(adminA.AccessToken), nil, 404, nil)
	// Assigning B's team to an A user fails as if it did not exist.
	e.c.call(t, "POST", "/v1/users", bearer(adminA.AccessToken), map[string]any{"email": "x@alpha.test", "teams": []map[string]any{{"id": teamB.ID, "manager": true}}}, 404, nil)
	var users UserPage
	e.c.call(t, "GET", "/v1/users", bearer(adminA.AccessToken), nil, 200, &users)
	for _, u := range users.Items {
		if u.ID == userB.ID || u.Email == userB.Email {
			t.Errorf("tenant A lists tenant B's user %s", u.Email)
		}
	}
	var keys APIKeyPage
	e.c.call(t, "GET", "/v1/api-keys", bearer(adminA.AccessToken), nil, 200, &keys)
	if len(keys.Items) != 0 {
		t.Errorf("tenant A lists %d API keys of tenant B", len(keys.Items))
	}
	// Without a tenant the runtime role sees no rows at all.
	err := pg.WithTx(context.Background(), e.s.db, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.Get(&n, `SELECT count(*) FROM users`); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("a transaction without a tenant sees %d users", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	missing, err := pg.TablesWithoutRLS(context.Background(), e.s.db.DB)
	if err != nil || len(missing) != 0 {
		t.Errorf("tables without forced RLS: %v %v", missing, err)
	}
}

func TestTenantDirectory(t *testing.T) {
	e := setup(t)
	shared, _ := e.tenant(t, "acme")
	var dedicated CreatedTenant
	e.c.call(t, "POST", "/admin/v1/tenants", platformAuth(), map[string]any{"slug": "bigco", "name": "BigCo", "tier": "dedicated",
		"admin": map[string]string{"email": "ops@bigco.test"}}, 201, &dedicated)
	tests := []struct {
		id            string
		wantSlug      string
		wantDedicated bool
		wantErr       bool
	}{
		{shared.ID, "acme", false, false},
		{dedicated.Tenant.ID, "bigco", true, false},
		{"0197a1b2-0000-7000-8000-000000000099", "", false, true},
		{"not-a-uuid", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			slug, ded, err := e.s.Tenant(context.Background(), tt.id)
			if slug != tt.wantSlug || ded != tt.wantDedicated || (err != nil) != tt.wantErr {
				t.Errorf("Tenant = (%q, %v, %v), want (%q, %v, error %v)", slug, ded, err, tt.wantSlug, tt.wantDedicated, tt.wantErr)
			}
		})
	}
}
