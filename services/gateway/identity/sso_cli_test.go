package identity

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestCrmctlSSOLoopback: a command-line SSO sign-in sends the browser back
// to the CLI's loopback callback with its state and a one-time code (no
// token), which only the PKCE verifier exchanges, once; a second exchange
// revokes the session. Any other redirect, state or challenge is refused.
func TestCrmctlSSOLoopback(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	op := oidcProvider(t, e.srv.URL+SSOCallbackPath)
	e.c.call(t, "PUT", "/v1/sso", bearer(admin.AccessToken), map[string]any{
		"issuer": op.URL, "clientId": "rapport-web", "clientSecret": "client-secret", "scopes": []string{"email", "profile"},
	}, 200, nil)

	verifier := strings.Repeat("v", 20) + "0123456789-abcdefghijklmnopqrstuvwxyz"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	got := make(chan url.Values, 1)
	cli := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/callback" {
			got <- r.URL.Query()
		}
	}))
	defer cli.Close()
	redirect := cli.URL + "/callback"
	start := func(redirect, state, challenge string) string {
		q := url.Values{"cli_redirect": {redirect}, "cli_state": {state}, "cli_challenge": {challenge}}
		return "/v1/auth/oidc/acme/start?" + q.Encode()
	}

	for _, bad := range []struct{ field, path string }{
		{"cli_redirect", start("http://evil.example/callback", "s", challenge)},
		{"cli_redirect", start("http://localhost"+strings.TrimPrefix(cli.URL, "http://127.0.0.1")+"/callback", "s", challenge)},
		{"cli_redirect", start(cli.URL+"/elsewhere", "s", challenge)},
		{"cli_state", start(redirect, "", challenge)},
		{"cli_challenge", start(redirect, "s", "plain")},
	} {
		raw := e.c.call(t, "GET", bad.path, nil, nil, 400, nil)
		if !bytesContains(raw, `"field":"`+bad.field+`"`) {
			t.Errorf("%s: %s, want the problem to name %s", bad.path, raw, bad.field)
		}
	}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(e.srv.URL + start(redirect, "cli-state-1", challenge))
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
	resp.Body.Close()
	q := <-got
	if resp.Request.URL.String() != redirect+"?"+q.Encode() || q.Get("state") != "cli-state-1" || q.Get("code") == "" || q.Get("error") != "" {
		t.Fatalf("the browser ended at %s with %v", resp.Request.URL, q)
	}
	if len(q) != 2 {
		t.Errorf("the loopback callback carries %v, want the state and the code only", q)
	}

	e.c.call(t, "POST", SSOCLITokenPath, nil, map[string]string{"code": q.Get("code"), "verifier": strings.Repeat("x", 43)}, 401, nil)
	var pair TokenPair
	e.c.call(t, "POST", SSOCLITokenPath, nil, map[string]string{"code": q.Get("code"), "verifier": verifier}, 200, &pair)
	var me Me
	e.c.call(t, "GET", "/v1/me", bearer(pair.AccessToken), nil, 200, &me)
	if me.User.Email != "test-user@zitadel.ch" {
		t.Errorf("signed in as %+v", me.User)
	}
	raw := e.c.call(t, "POST", SSOCLITokenPath, nil, map[string]string{"code": q.Get("code"), "verifier": verifier}, 401, nil)
	if !bytesContains(raw, "invalid-sso-code") {
		t.Errorf("second exchange: %s", raw)
	}
	e.c.call(t, "POST", "/v1/auth/refresh", nil, map[string]string{"refreshToken": pair.RefreshToken}, 401, nil)
	e.c.call(t, "POST", SSOCLITokenPath, nil, map[string]string{"code": "AAAA", "verifier": verifier}, 401, nil)

	// The provider refuses: back to the loopback with the state and an error.
	_, _, hdr := e.c.do(t, "GET", start(redirect, "cli-state-2", challenge), nil, nil)
	to, _ := url.Parse(hdr.Get("Location"))
	h := http.Header{}
	h.Add("Cookie", (&http.Cookie{Name: ssoCookie, Value: sessionCookies(hdr)[ssoCookie].Value}).String())
	status, _, hdr := e.c.do(t, "GET", SSOCallbackPath+"?error=access_denied&state="+url.QueryEscape(to.Query().Get("state")), h, nil)
	if want := redirect + "?error=sso-failed&state=cli-state-2"; status != http.StatusSeeOther || hdr.Get("Location") != want {
		t.Errorf("refused sign-in: %d to %q, want 303 to %q", status, hdr.Get("Location"), want)
	}
}
