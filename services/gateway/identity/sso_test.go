package identity

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// oidcProvider runs a real OpenID provider (zitadel's op package with its
// example storage and login page) that knows one web client redirecting to
// the gateway.
func oidcProvider(t *testing.T, redirectURI string) *httptest.Server {
	t.Helper()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	client := storage.WebClient("rapport-web", "client-secret", redirectURI)
	st := storage.NewStorageWithClients(storage.NewUserStore(srv.URL), map[string]*storage.Client{client.GetID(): client})
	h = exampleop.SetupServer(srv.URL, st, nil, false)
	return srv
}

func TestSSOEndToEnd(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	op := oidcProvider(t, e.srv.URL+SSOCallbackPath)

	var cfg SSOConfig
	e.c.call(t, "PUT", "/v1/sso", bearer(admin.AccessToken), map[string]any{
		"issuer": op.URL, "clientId": "rapport-web", "clientSecret": "client-secret",
		"scopes": []string{"email", "profile", "custom_scope"}, "roleClaim": "custom_claim.client",
		"roleMapping": map[string][]string{"rapport-web": {"sales_rep", "marketer"}}, "defaultRoles": []string{"read_only"},
	}, 200, &cfg)
	raw := e.c.call(t, "GET", "/v1/sso", bearer(admin.AccessToken), nil, 200, &cfg)
	if strings.Contains(string(raw), "client-secret") {
		t.Fatal("GET /v1/sso shows the client secret")
	}

	// The start route redirects to the provider with PKCE, state and nonce.
	_, _, hdr := e.c.do(t, "GET", "/v1/auth/oidc/acme/start", nil, nil)
	loc, err := url.Parse(hdr.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), op.URL) {
		t.Fatalf("start redirects to %q", hdr.Get("Location"))
	}
	for _, p := range []string{"state", "nonce", "code_challenge"} {
		if loc.Query().Get(p) == "" {
			t.Errorf("authorisation URL lacks %s", p)
		}
	}
	if got := loc.Query().Get("code_challenge_method"); got != "S256" {
		t.Errorf("code_challenge_method = %q, want S256", got)
	}

	// A browser: start → provider login page → submit → callback → tokens.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(e.srv.URL + "/v1/auth/oidc/acme/start")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	authRequestID := resp.Request.URL.Query().Get("authRequestID")
	if resp.StatusCode != 200 || authRequestID == "" {
		t.Fatalf("login page: status %d at %s", resp.StatusCode, resp.Request.URL)
	}
	host := strings.Split(strings.TrimPrefix(op.URL, "http://"), ":")[0]
	resp, err = browser.PostForm(op.URL+"/login/username", url.Values{
		"id": {authRequestID}, "username": {"test-user@" + host}, "password": {"verysecure"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != SSOCallbackPath {
		t.Fatalf("callback: status %d at %s: %s", resp.StatusCode, resp.Request.URL, body)
	}
	var pair TokenPair
	if err := jsonUnmarshal(body, &pair); err != nil || pair.AccessToken == "" {
		t.Fatalf("callback body %s: %v", body, err)
	}

	// The user was created on first login, active, with the mapped roles.
	var me Me
	e.c.call(t, "GET", "/v1/me", bearer(pair.AccessToken), nil, 200, &me)
	if me.User.Email != "test-user@zitadel.ch" || me.User.Status != UserActive {
		t.Errorf("SSO user = %+v", me.User)
	}
	if !slices.Equal(me.User.Roles, []string{"marketer", "sales_rep"}) {
		t.Errorf("SSO user's roles = %v, want [marketer sales_rep]", me.User.Roles)
	}
	e.c.call(t, "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": pair.RefreshToken}, 200, nil)

	// A callback without the state cookie, or with another state, fails.
	e.c.call(t, "GET", SSOCallbackPath+"?state=forged&code=x", nil, nil, 401, nil)
	e.wantCounts(t, `rapport_gateway_logins_total{method="sso",result="success",service="gateway"} 1`,
		`rapport_gateway_logins_total{method="sso",result="failure",service="gateway"} 1`)
}

func TestMapRoles(t *testing.T) {
	cfg := SSOConfig{RoleClaim: "groups", RoleMapping: map[string][]string{"crm-admins": {"admin"}, "sales": {"sales_rep"}}, DefaultRoles: []string{"read_only"}}
	tests := []struct {
		name   string
		claims map[string]any
		want   []string
	}{
		{"array", map[string]any{"groups": []any{"sales", "crm-admins", "other"}}, []string{"sales_rep", "admin"}},
		{"string", map[string]any{"groups": "sales"}, []string{"sales_rep"}},
		{"unmapped falls back", map[string]any{"groups": []any{"other"}}, []string{"read_only"}},
		{"absent falls back", map[string]any{}, []string{"read_only"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mapRoles(cfg, tt.claims); !slices.Equal(got, tt.want) {
				t.Errorf("mapRoles = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSSOLinksVerifiedEmail: an existing invited user whose email the provider
// verified is linked (and activated) rather than duplicated.
func TestSSOLinksVerifiedEmail(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	var inv Invitation
	e.c.call(t, "POST", "/v1/users", bearer(admin.AccessToken), map[string]any{"email": "Test-User@zitadel.ch", "roles": []string{"analyst"}}, 201, &inv)
	op := oidcProvider(t, e.srv.URL+SSOCallbackPath)
	e.c.call(t, "PUT", "/v1/sso", bearer(admin.AccessToken), map[string]any{
		"issuer": op.URL, "clientId": "rapport-web", "clientSecret": "client-secret", "scopes": []string{"email", "profile"},
	}, 200, nil)
	pair := ssoSignIn(t, e, op)
	var me Me
	e.c.call(t, "GET", "/v1/me", bearer(pair.AccessToken), nil, 200, &me)
	if me.User.ID != inv.User.ID || me.User.Status != UserActive || !slices.Equal(me.User.Roles, []string{"analyst"}) {
		t.Errorf("linked user = %+v, want the invited user %s, active, analyst", me.User, inv.User.ID)
	}
}

// ssoSignIn drives a browser through start → provider login → callback.
func ssoSignIn(t *testing.T, e *env, op *httptest.Server) TokenPair {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(e.srv.URL + "/v1/auth/oidc/acme/start")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	host := strings.Split(strings.TrimPrefix(op.URL, "http://"), ":")[0]
	resp, err = browser.PostForm(op.URL+"/login/username", url.Values{"id": {id}, "username": {"test-user@" + host}, "password": {"verysecure"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var pair TokenPair
	if resp.StatusCode != 200 || jsonUnmarshal(body, &pair) != nil || pair.AccessToken == "" {
		t.Fatalf("callback: status %d: %s", resp.StatusCode, body)
	}
	return pair
}
