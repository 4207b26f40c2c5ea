package identity

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// TestSSOStartReturn: the start refuses a return that is not a path on this
// site, naming it.
func TestSSOStartReturn(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	op := oidcProvider(t, e.srv.URL+SSOCallbackPath)
	e.c.call(t, "PUT", "/v1/sso", bearer(admin.AccessToken), map[string]any{
		"issuer": op.URL, "clientId": "rapport-web", "clientSecret": "client-secret", "scopes": []string{"email", "profile"},
	}, 200, nil)
	for _, bad := range []string{"//evil.example", "https://evil.example/", "/\\evil.example", "contacts", ""} {
		raw := e.c.call(t, "GET", "/v1/auth/oidc/acme/start?return="+url.QueryEscape(bad), nil, nil, 400, nil)
		if !bytesContains(raw, `"field":"return"`) {
			t.Errorf("return %q: %s, want the problem to name return", bad, raw)
		}
	}
	e.c.call(t, "GET", "/v1/auth/oidc/acme/start?return=%2Fcontacts", nil, nil, 302, nil)
}

// TestSSOReturnRedirects: an SSO sign-in started with a return path (and
// the tenant named by its domain) comes back to it with a browser session;
// a failed one goes to the sign-in page with a code and the return path.
func TestSSOReturnRedirects(t *testing.T) {
	e := setup(t)
	acme, admin := e.tenant(t, "acme")
	e.c.call(t, "PATCH", "/admin/v1/tenants/"+acme.ID, platformAuth(), map[string]any{"domains": []string{"acme.example"}}, 200, nil)
	op := oidcProvider(t, e.srv.URL+SSOCallbackPath)
	e.c.call(t, "PUT", "/v1/sso", bearer(admin.AccessToken), map[string]any{
		"issuer": op.URL, "clientId": "rapport-web", "clientSecret": "client-secret", "scopes": []string{"email", "profile"},
	}, 200, nil)

	// A browser that stops at the callback's answer.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), e.srv.URL) && !strings.HasPrefix(r.URL.Path, "/v1/auth/") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.Get(e.srv.URL + "/v1/auth/oidc/acme.example/start?return=" + url.QueryEscape("/contacts?view=mine"))
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
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Request.URL.Path != SSOCallbackPath || resp.Header.Get("Location") != "/contacts?view=mine" {
		t.Fatalf("callback: status %d at %s to %q: %s", resp.StatusCode, resp.Request.URL, resp.Header.Get("Location"), body)
	}
	session := sessionCookies(resp.Header)
	checkSessionCookies(t, session, false)
	var pair TokenPair
	e.c.call(t, "POST", "/v1/auth/refresh", withSession(session, session[CSRFCookie].Value), nil, 200, &pair)
	var me Me
	e.c.call(t, "GET", "/v1/me", bearer(pair.AccessToken), nil, 200, &me)
	if me.User.Email != "test-user@zitadel.ch" || me.Tenant.ID != acme.ID {
		t.Errorf("signed in as %+v", me)
	}

	// The provider refuses: back to the sign-in page, with the return path
	// and no session.
	_, _, hdr := e.c.do(t, "GET", "/v1/auth/oidc/acme/start?return=%2Fhome", nil, nil)
	to, err := url.Parse(hdr.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	state := sessionCookies(hdr)[ssoCookie]
	if state == nil {
		t.Fatal("start set no state cookie")
	}
	h := http.Header{}
	h.Add("Cookie", (&http.Cookie{Name: ssoCookie, Value: state.Value}).String())
	got, raw, hdr := e.c.do(t, "GET", SSOCallbackPath+"?error=access_denied&state="+url.QueryEscape(to.Query().Get("state")), h, nil)
	if got != http.StatusSeeOther || hdr.Get("Location") != "/signin?error=sso-failed&return=%2Fhome" {
		t.Errorf("refused sign-in: status %d to %q: %s", got, hdr.Get("Location"), raw)
	}
	if len(hdr.Values("Set-Cookie")) != 0 {
		t.Errorf("refused sign-in set cookies: %v", hdr.Values("Set-Cookie"))
	}
}
