package identity

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestPeopleDirectory: a sales rep, who may not list users, reads the
// directory of their own tenant's active users (not the invited, not the
// disabled, not another tenant's), with only id, name, email and teams;
// q, ids and teamId filter it, cursors page it, an API key reads it too,
// and a bad id in ids is a 400 naming ids.
func TestPeopleDirectory(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	_, otherAdmin := e.tenant(t, "globex")
	var sales Team
	e.c.call(t, "POST", "/v1/teams", bearer(admin.AccessToken), map[string]any{"name": "Sales"}, 201, &sales)
	join := func(tokens TokenPair, email, name string, roles []string, teams []TeamMembership, accept bool) User {
		t.Helper()
		if teams == nil {
			teams = []TeamMembership{}
		}
		var inv Invitation
		e.c.call(t, "POST", "/v1/users", bearer(tokens.AccessToken), map[string]any{
			"email": email, "name": name, "roles": roles, "teams": teams}, 201, &inv)
		if accept {
			e.c.call(t, "POST", "/v1/auth/accept-invitation", nil, map[string]string{
				"token": inv.InvitationToken, "password": "member-password-1"}, 200, nil)
		}
		return inv.User
	}
	rep := join(admin, "rep@acme.test", "Rita Rep", []string{"sales_rep"}, []TeamMembership{{TeamID: sales.ID}}, true)
	zoe := join(admin, "zoe.colleague@acme.test", "Zoë Colleague", []string{"manager"}, []TeamMembership{{TeamID: sales.ID, Manager: true}}, true)
	join(admin, "pending@acme.test", "Pending Zoe", []string{"sales_rep"}, nil, false)
	gone := join(admin, "gone@acme.test", "Gone Zoe", []string{"sales_rep"}, nil, true)
	e.c.call(t, "POST", "/v1/users/"+gone.ID+"/disable", bearer(admin.AccessToken), nil, 200, nil)
	outsider := join(otherAdmin, "zoe@globex.test", "Zoë Outsider", []string{"sales_rep"}, nil, true)

	var repTokens TokenPair
	e.c.call(t, "POST", "/v1/auth/login", nil, map[string]string{"tenant": "acme", "email": rep.Email, "password": "member-password-1"}, 200, &repTokens)
	e.c.call(t, "GET", "/v1/users", bearer(repTokens.AccessToken), nil, 403, nil)

	// people lists the ids of the directory at path as token's caller reads it.
	people := func(hdr http.Header, path string) []string {
		t.Helper()
		var page struct{ Items []map[string]any }
		e.c.call(t, "GET", path, hdr, nil, 200, &page)
		var got []string
		for _, p := range page.Items {
			keys := make([]string, 0, len(p))
			for k := range p {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, []string{"email", "id", "name", "teamIds"}) {
				t.Errorf("%s: a person with fields %v, want only id, name, email, teamIds", path, keys)
			}
			got = append(got, p["id"].(string))
		}
		slices.Sort(got)
		return got
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	var me Me
	e.c.call(t, "GET", "/v1/me", bearer(admin.AccessToken), nil, 200, &me)
	repAuth := bearer(repTokens.AccessToken)

	for _, tt := range []struct {
		name, path string
		want       []string
	}{
		{"all", "/v1/people?limit=200", sorted(me.User.ID, rep.ID, zoe.ID)},
		{"q on the name, any case", "/v1/people?q=ZOË", sorted(zoe.ID)},
		{"q on the email", "/v1/people?q=colleague%40acme", sorted(zoe.ID)},
		{"q's wildcards are literal", "/v1/people?q=%25", nil},
		{"ids", "/v1/people?ids=" + zoe.ID + "," + outsider.ID + "," + gone.ID, sorted(zoe.ID)},
		{"teamId", "/v1/people?teamId=" + sales.ID, sorted(rep.ID, zoe.ID)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := people(repAuth, tt.path); !slices.Equal(got, tt.want) {
				t.Errorf("%s = %v, want %v", tt.path, got, tt.want)
			}
		})
	}

	var page PersonPage
	e.c.call(t, "GET", "/v1/people?teamId="+sales.ID, repAuth, nil, 200, &page)
	for _, p := range page.Items {
		if p.ID == zoe.ID && (p.Name != "Zoë Colleague" || p.Email != zoe.Email || !slices.Equal([]string(p.TeamIDs), []string{sales.ID})) {
			t.Errorf("zoe = %+v", p)
		}
	}
	e.c.call(t, "GET", "/v1/people?limit=2", repAuth, nil, 200, &page)
	var next PersonPage
	e.c.call(t, "GET", "/v1/people?limit=2&cursor="+page.NextCursor, repAuth, nil, 200, &next)
	if len(page.Items) != 2 || len(next.Items) != 1 || next.NextCursor != "" || slices.ContainsFunc(page.Items, func(p Person) bool { return p.ID == next.Items[0].ID }) {
		t.Errorf("pages %+v then %+v, want 2 then the third", page, next)
	}

	raw := e.c.call(t, "GET", "/v1/people?ids="+zoe.ID+",not-an-id", repAuth, nil, 400, nil)
	if !strings.Contains(string(raw), `"ids"`) {
		t.Errorf("a bad id: %s, want a problem naming ids", raw)
	}
	raw = e.c.call(t, "GET", "/v1/people?ids="+strings.Repeat(zoe.ID+",", 201)+zoe.ID, repAuth, nil, 400, nil)
	if !strings.Contains(string(raw), `"ids"`) {
		t.Errorf("too many ids: %s, want a problem naming ids", raw)
	}
	e.c.call(t, "GET", "/v1/people", nil, nil, 401, nil)

	// An API key reads it as its creator, whatever its scopes.
	var key CreatedAPIKey
	e.c.call(t, "POST", "/v1/api-keys", bearer(admin.AccessToken), map[string]any{"name": "sync", "scopes": []string{"contacts:read"}}, 201, &key)
	if got := people(http.Header{"X-API-Key": {key.Secret}}, "/v1/people?q=zo"); !slices.Equal(got, sorted(zoe.ID)) {
		t.Errorf("the API key's q=zo = %v, want zoe alone", got)
	}
}
