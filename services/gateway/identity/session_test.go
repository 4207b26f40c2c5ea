package identity

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// sessionCookies returns the cookies a response sets, by name.
func sessionCookies(hdr http.Header) map[string]*http.Cookie {
	out := map[string]*http.Cookie{}
	for _, c := range (&http.Response{Header: hdr}).Cookies() {
		out[c.Name] = c
	}
	return out
}

// cookieLogin signs in as the acme admin with a browser session and returns
// the answer's body and cookies.
func cookieLogin(t *testing.T, c *client, tenant string) (TokenPair, map[string]*http.Cookie) {
	t.Helper()
	got, raw, hdr := c.do(t, "POST", "/v1/auth/login", nil, map[string]string{
		"tenant": tenant, "email": "admin@acme.test", "password": "admin-password-1", "session": SessionCookie})
	if got != 200 {
		t.Fatalf("cookie login: status %d: %s", got, raw)
	}
	var pair TokenPair
	if err := json.Unmarshal(raw, &pair); err != nil {
		t.Fatal(err)
	}
	if pair.AccessToken == "" || pair.RefreshToken != "" || bytesContains(raw, "refreshToken") {
		t.Errorf("cookie login body %s: want an access token and no refresh token", raw)
	}
	return pair, sessionCookies(hdr)
}

// withSession is a request header carrying the session's cookies and, unless
// csrf is empty, the CSRF header.
func withSession(jar map[string]*http.Cookie, csrf string) http.Header {
	h := http.Header{}
	h.Add("Cookie", (&http.Cookie{Name: RefreshCookie, Value: jar[RefreshCookie].Value}).String())
	h.Add("Cookie", (&http.Cookie{Name: CSRFCookie, Value: jar[CSRFCookie].Value}).String())
	if csrf != "" {
		h.Set(CSRFHeader, csrf)
	}
	return h
}

// checkSessionCookies checks the attributes of a new session's cookies.
func checkSessionCookies(t *testing.T, jar map[string]*http.Cookie, secure bool) {
	t.Helper()
	rc, cc := jar[RefreshCookie], jar[CSRFCookie]
	if rc == nil || cc == nil {
		t.Fatalf("cookies set: %v, want %s and %s", jar, RefreshCookie, CSRFCookie)
	}
	if rc.Value == "" || !rc.HttpOnly || rc.SameSite != http.SameSiteStrictMode || rc.Path != "/v1/auth" ||
		rc.MaxAge != int(RefreshTokenTTL/time.Second) || rc.Secure != secure {
		t.Errorf("refresh cookie %q: want a value, HttpOnly, SameSite=Strict, Path=/v1/auth, Max-Age=%d, Secure=%v",
			rc.Raw, int(RefreshTokenTTL/time.Second), secure)
	}
	b, err := base64.RawURLEncoding.DecodeString(cc.Value)
	if err != nil || len(b) != 32 || cc.HttpOnly || cc.SameSite != http.SameSiteStrictMode || cc.Path != "/" || cc.Secure != secure {
		t.Errorf("CSRF cookie %q: want 32 random bytes base64url, not HttpOnly, SameSite=Strict, Path=/, Secure=%v",
			cc.Raw, secure)
	}
}

// checkCleared checks that a response expires both cookies.
func checkCleared(t *testing.T, hdr http.Header) {
	t.Helper()
	jar := sessionCookies(hdr)
	for _, want := range []struct{ name, path string }{{RefreshCookie, "/v1/auth"}, {CSRFCookie, "/"}} {
		c := jar[want.name]
		if c == nil || c.MaxAge >= 0 || c.Path != want.path || c.Value != "" {
			t.Errorf("cookie %s not cleared on path %s: %v", want.name, want.path, c)
		}
	}
}

func TestCookieLogin(t *testing.T) {
	e := setup(t)
	e.tenant(t, "acme")
	_, jar := cookieLogin(t, e.c, "acme")
	checkSessionCookies(t, jar, false)

	// Without session, an API client gets the refresh token in the body and no cookie.
	var pair TokenPair
	_, _, hdr := e.c.do(t, "POST", "/v1/auth/login", nil, map[string]string{
		"tenant": "acme", "email": "admin@acme.test", "password": "admin-password-1"})
	if len(hdr.Values("Set-Cookie")) != 0 {
		t.Errorf("API login sets cookies: %v", hdr.Values("Set-Cookie"))
	}
	e.c.call(t, "POST", "/v1/auth/login", nil, map[string]string{
		"tenant": "acme", "email": "admin@acme.test", "password": "admin-password-1"}, 200, &pair)
	if pair.RefreshToken == "" {
		t.Error("API login answers no refresh token")
	}
}

// TestCookieLoginSecure: the cookies are Secure when the public URL is https
// or the request came over TLS, and only then.
func TestCookieLoginSecure(t *testing.T) {
	e := setup(t)
	e.tenant(t, "acme")
	for _, tt := range []struct {
		name, publicURL string
		tls             bool
	}{
		{"https public URL", "https://crm.example.com", false},
		{"over TLS", "http://crm.example.com", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Config{DB: e.s.db, Keys: e.s.keys, DataKey: bytes.Repeat([]byte{7}, DataKeyLen),
				PublicURL: tt.publicURL, Argon2: testArgon2, Logger: e.s.logger})
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			Mount(mux, s, nil)
			srv := httptest.NewUnstartedServer(mux)
			if tt.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			t.Cleanup(srv.Close)
			c := newClient(t, srv.URL)
			c.hc.Transport = srv.Client().Transport
			_, jar := cookieLogin(t, c, "acme")
			checkSessionCookies(t, jar, true)
		})
	}
}

func TestCookieRefresh(t *testing.T) {
	e := setup(t)
	e.tenant(t, "acme")
	_, jar := cookieLogin(t, e.c, "acme")

	// The cookie without the CSRF header, or with another value, is refused
	// and the session is left alone.
	for name, csrf := range map[string]string{"no header": "", "mismatch": "not-the-cookie"} {
		got, raw, hdr := e.c.do(t, "POST", "/v1/auth/refresh", withSession(jar, csrf), nil)
		if got != 403 || problemType(t, raw) != "csrf-token-mismatch" || len(hdr.Values("Set-Cookie")) != 0 {
			t.Errorf("%s: status %d %s, cookies %v; want 403 csrf-token-mismatch, none set", name, got, raw, hdr.Values("Set-Cookie"))
		}
	}

	// With it, the session rotates; both an empty body and none are accepted.
	first := jar
	for _, body := range []any{map[string]any{}, nil} {
		got, raw, hdr := e.c.do(t, "POST", "/v1/auth/refresh", withSession(jar, jar[CSRFCookie].Value), body)
		if got != 200 || bytesContains(raw, "refreshToken") || !bytesContains(raw, "accessToken") {
			t.Fatalf("refresh with body %v: status %d %s", body, got, raw)
		}
		next := sessionCookies(hdr)
		checkSessionCookies(t, next, false)
		if next[RefreshCookie].Value == jar[RefreshCookie].Value || next[CSRFCookie].Value == jar[CSRFCookie].Value {
			t.Error("refresh kept the session's cookies")
		}
		jar = next
	}
	// A token in the body wins over the cookie, and needs no CSRF header.
	_, _, hdr := e.c.do(t, "POST", "/v1/auth/refresh", withSession(jar, ""), map[string]string{"refreshToken": "rrt_unknown"})
	if len(hdr.Values("Set-Cookie")) != 0 {
		t.Errorf("a body token's refusal touched the cookies: %v", hdr.Values("Set-Cookie"))
	}
	// A spent cookie is refused with its cookies cleared, and revokes the
	// session: the current cookie is refused too.
	for _, spent := range []map[string]*http.Cookie{first, jar} {
		got, raw, hdr := e.c.do(t, "POST", "/v1/auth/refresh", withSession(spent, spent[CSRFCookie].Value), nil)
		if got != 401 || problemType(t, raw) != "invalid-refresh-token" {
			t.Errorf("spent cookie: status %d %s, want 401 invalid-refresh-token", got, raw)
		}
		checkCleared(t, hdr)
	}
}
func TestCookieLogout(t *testing.T) {
	e := setup(t)
	e.tenant(t, "acme")
	_, jar := cookieLogin(t, e.c, "acme")
	e.c.call(t, "POST", "/v1/auth/logout", withSession(jar, ""), nil, 403, nil)
	got, raw, hdr := e.c.do(t, "POST", "/v1/auth/logout", withSession(jar, jar[CSRFCookie].Value), map[string]any{})
	if got != 204 {
		t.Fatalf("logout: status %d %s", got, raw)
	}
	checkCleared(t, hdr)
	got, raw, hdr = e.c.do(t, "POST", "/v1/auth/refresh", withSession(jar, jar[CSRFCookie].Value), nil)
	if got != 401 {
		t.Errorf("refresh after logout: status %d %s, want 401", got, raw)
	}
	checkCleared(t, hdr)
	// Without a token or a cookie, logout has nothing to do.
	e.c.call(t, "POST", "/v1/auth/logout", nil, nil, 204, nil)
}

// TestLoginByDomain: a tenant is named by its slug or by one of its domains,
// whatever their case; an unknown or shared domain fails like a bad password.
func TestLoginByDomain(t *testing.T) {
	e := setup(t)
	acme, _ := e.tenant(t, "acme")
	other, _ := e.tenant(t, "other")
	var got Tenant
	e.c.call(t, "PATCH", "/admin/v1/tenants/"+acme.ID, platformAuth(), map[string]any{"domains": []string{" CRM.Acme.Example ", "acme.example", "shared.example"}}, 200, &got)
	if len(got.Domains) != 3 || got.Domains[0] != "crm.acme.example" || got.Domains[2] != "shared.example" {
		t.Errorf("domains stored as %v, want trimmed and lower-case", got.Domains)
	}
	e.c.call(t, "PATCH", "/admin/v1/tenants/"+other.ID, platformAuth(), map[string]any{"domains": []string{"shared.example"}}, 200, nil)
	for _, tt := range []struct {
		tenant string
		want   int
	}{
		{"acme", 200}, {"acme.example", 200}, {"CRM.ACME.example", 200},
		{"nobody.example", 401}, {"shared.example", 401}, {"acme.exampl", 401},
	} {
		got, raw, _ := e.c.do(t, "POST", "/v1/auth/login", nil, map[string]string{
			"tenant": tt.tenant, "email": "admin@acme.test", "password": "admin-password-1"})
		if got != tt.want || (got == 401 && problemType(t, raw) != "bad-credentials") {
			t.Errorf("login to %q: status %d %s, want %d", tt.tenant, got, raw, tt.want)
		}
	}
}

func TestMeLocale(t *testing.T) {
	e := setup(t)
	_, admin := e.tenant(t, "acme")
	_, rep := e.member(t, admin, "rep@acme.test", []string{"read_only"}, nil)
	var me Me
	e.c.call(t, "GET", "/v1/me", bearer(rep.AccessToken), nil, 200, &me)
	if me.Locale != "en" {
		t.Errorf("default locale %q, want en", me.Locale)
	}
	e.c.call(t, "PATCH", "/v1/me", bearer(rep.AccessToken), map[string]string{"locale": "zh-CN"}, 200, &me)
	if me.Locale != "zh-CN" || me.User.Locale != "zh-CN" {
		t.Errorf("after PATCH: locale %q, user locale %q; want zh-CN", me.Locale, me.User.Locale)
	}
	e.c.call(t, "GET", "/v1/me", bearer(rep.AccessToken), nil, 200, &me)
	if me.Locale != "zh-CN" {
		t.Errorf("locale read back %q, want zh-CN", me.Locale)
	}
	e.c.call(t, "PATCH", "/v1/me", bearer(rep.AccessToken), map[string]any{}, 200, &me)
	if me.Locale != "zh-CN" {
		t.Errorf("an empty PATCH changed the locale to %q", me.Locale)
	}
	// A value the contract refuses is refused by the server too, naming the field.
	for _, bad := range []string{"fr", "zh-cn", ""} {
		got, raw := sendRaw(t, e, "PATCH", "/v1/me", bearer(rep.AccessToken), `{"locale": "`+bad+`"}`)
		if got != 400 || !bytesContains(raw, `"field":"locale"`) {
			t.Errorf("locale %q: status %d %s, want 400 naming locale", bad, got, raw)
		}
	}
	// An admin's locale set through the users API shows as the console's language.
	e.c.call(t, "PATCH", "/v1/users/"+me.User.ID, bearer(admin.AccessToken), map[string]string{"locale": "zh-Hans-CN"}, 200, nil)
	e.c.call(t, "GET", "/v1/me", bearer(rep.AccessToken), nil, 200, &me)
	if me.Locale != "zh-CN" {
		t.Errorf("locale of zh-Hans-CN %q, want zh-CN", me.Locale)
	}
}

// sendRaw sends a body the contract refuses, to check that the server refuses
// it too; it returns the status and body.
func sendRaw(t *testing.T, e *env, method, path string, hdr http.Header, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = hdr.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, buf.Bytes()
}

func TestLocalPath(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/contacts?view=mine#top": true, "/%2F%2Fevil.example": true,
		"": false, "//evil.example": false, "/\\evil.example": false, "https://evil.example/": false,
		"contacts": false, "javascript:alert(1)": false, "/a\nb": false, "/\t/evil.example": false,
	} {
		if got := localPath(p); got != want {
			t.Errorf("localPath(%q) = %v, want %v", p, got, want)
		}
	}
}
