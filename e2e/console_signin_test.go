package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// han matches a Chinese character.
var han = regexp.MustCompile(`\p{Han}`)

// TestConsoleSignIn walks the console's sign-in in Chromium against the
// real stack: the CSP of the pages, a deep link while signed out, a wrong
// password, the session cookies and where the refresh token is not, a
// reload, the language persisted on the user, sign-out, a phone, and axe
// on the sign-in page and home.
func TestConsoleSignIn(t *testing.T) {
	s := stack.Start(t, bins)
	tn := s.CreateTenant(t, "console-signin")

	t.Run("csp", func(t *testing.T) {
		for _, p := range []string{"/", "/contacts", "/signin"} {
			res := stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + p}, http.StatusOK, nil)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(res.Body), `<div id="root">`) {
				t.Errorf("GET %s: %s %.200s, want the console's index.html", p, ct, res.Body)
			}
			checkCSP(t, p, res.Header.Get("Content-Security-Policy"))
		}
	})

	u := s.Invite(t, tn, "ann@console-signin.test", []string{"sales_rep"})
	t.Run("desktop", func(t *testing.T) {
		p := browser.NewPage(t, desktop[0], desktop[1])
		p.Go(s.GatewayURL + "/contacts")
		p.WaitTestID("page-signin")
		if got := pagePath(t, p); got != "/signin?return=%2Fcontacts" {
			t.Errorf("a signed-out deep link went to %s", got)
		}
		p.Axe("sign-in")

		fillSignIn(p, tn.Slug, u.Email, u.Password+"-wrong")
		p.Wait(`[data-testid="signin-error"], .ant-form-item-explain-error`)
		for sel, want := range map[string]string{signinTenant: tn.Slug, signinEmail: u.Email, signinPassword: u.Password + "-wrong"} {
			if got := p.Value(sel); got != want {
				t.Errorf("after a wrong password %s holds %q, want %q", sel, got, want)
			}
		}
		if !p.Has(browser.TestID("page-signin")) {
			t.Fatal("a wrong password left the sign-in page")
		}

		p.Fill(signinPassword, u.Password)
		p.Click(browser.TestID("signin-submit"))
		p.WaitTestID("app-shell")
		if got := pagePath(t, p); got != "/contacts" {
			t.Errorf("after sign-in from a deep link the console is at %s, want /contacts", got)
		}
		checkSessionCookies(t, p)

		p.Go(s.GatewayURL + "/")
		p.WaitTestID("page-home")
		p.Axe("home")
		p.Reload()
		p.WaitTestID("page-home") // the refresh cookie restored the session

		p.Click(browser.TestID("user-menu"))
		p.Click(browser.TestID("logout"))
		p.WaitTestID("page-signin")
		for _, c := range p.Cookies() {
			if c.Name == "rapport_refresh" {
				t.Errorf("after sign-out the refresh cookie is still there: %+v", c)
			}
		}
		p.Reload()
		p.WaitTestID("page-signin")
		if p.Has(browser.TestID("app-shell")) {
			t.Error("a reload after sign-out shows the signed-in shell")
		}
	})

	t.Run("language", func(t *testing.T) {
		v := s.Invite(t, tn, "li@console-signin.test", []string{"sales_rep"})
		p := signIn(t, s, tn, v, desktop)
		p.WaitTestID("page-home")
		p.Click(browser.TestID("lang-switch"))
		waitChinese(t, p)
		p.Reload()
		p.WaitTestID("page-home")
		waitChinese(t, p)
		var me struct {
			User struct {
				Locale string `json:"locale"`
			} `json:"user"`
		}
		stack.Must(t, stack.Request{Method: http.MethodGet, URL: s.GatewayURL + "/v1/me", Token: v.Token}, http.StatusOK, &me)
		if me.User.Locale != "zh-CN" {
			t.Errorf("GET /v1/me locale %q after the switch, want zh-CN", me.User.Locale)
		}
		// Another device (a fresh browser context, nothing stored) follows
		// the user's choice once they sign in.
		q := signIn(t, s, tn, v, phone)
		q.WaitTestID("page-home")
		waitChinese(t, q)
	})

	// A page the browser keeps for back and forward must not hold a
	// connection: with six per host, loads of the console in one tab
	// stalled at the seventh while the earlier pages' notification
	// streams stayed open.
	t.Run("loads", func(t *testing.T) {
		p := signIn(t, s, tn, u, desktop)
		for i := range 9 {
			path, page := "/", "page-home"
			if i%2 == 1 {
				path, page = "/contacts", "page-contacts"
			}
			p.Go(s.GatewayURL + path)
			p.WaitTestID(page)
		}
	})

	t.Run("phone", func(t *testing.T) {
		p := browser.NewPage(t, phone[0], phone[1])
		// A return path to another site is not followed.
		p.Go(s.GatewayURL + "/signin?return=%2F%2Fevil.example")
		p.Axe("sign-in on a phone")
		fillSignIn(p, tn.Slug, u.Email, u.Password)
		p.WaitTestID("page-home")
		if got := p.URL(); got != s.GatewayURL+"/" {
			t.Errorf("signed in on a phone at %s, want home", got)
		}
		var overflow bool
		p.Eval(`document.documentElement.scrollWidth > innerWidth`, &overflow)
		if overflow {
			t.Error("home is wider than a 375 px phone")
		}
		p.Axe("home on a phone")
		p.Reload()
		p.WaitTestID("page-home")
	})
}

// checkCSP fails unless csp limits scripts to the origin without inline
// script.
func checkCSP(t *testing.T, path, csp string) {
	t.Helper()
	directives := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	script, ok := directives["script-src"]
	if !ok {
		script, ok = directives["default-src"]
	}
	if !ok || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") || strings.Contains(script, "*") {
		t.Errorf("GET %s: Content-Security-Policy %q: scripts must come from the origin only", path, csp)
	}
}

// checkSessionCookies fails unless the refresh cookie is HttpOnly,
// SameSite=Strict and scoped to /v1/auth, and its token is nowhere script
// can read: not in document.cookie, localStorage or sessionStorage.
func checkSessionCookies(t *testing.T, p *browser.Page) {
	t.Helper()
	var refresh, csrf string
	for _, c := range p.Cookies() {
		switch c.Name {
		case "rapport_refresh":
			refresh = c.Value
			if !c.HTTPOnly || c.SameSite != "Strict" || c.Path != "/v1/auth" {
				t.Errorf("rapport_refresh: HttpOnly %v, SameSite %q, Path %q; want HttpOnly, Strict, /v1/auth", c.HTTPOnly, c.SameSite, c.Path)
			}
		case "rapport_csrf":
			csrf = c.Value
		}
	}
	if refresh == "" || csrf == "" {
		t.Fatalf("after sign-in: refresh cookie %v, CSRF cookie %v", refresh != "", csrf != "")
	}
	var readable string
	p.Eval(`document.cookie + "\n" + JSON.stringify(Object.entries(localStorage)) + "\n" + JSON.stringify(Object.entries(sessionStorage))`, &readable)
	if strings.Contains(readable, refresh) || strings.Contains(readable, "rapport_refresh") {
		t.Errorf("the refresh token is readable by script:\n%s", readable)
	}
	if !strings.Contains(readable, "rapport_csrf="+csrf) {
		t.Errorf("the CSRF cookie is not readable by the console: %s", readable)
	}
}

// waitChinese waits until <html lang> is zh-CN, then fails unless the
// account menu is labelled in Chinese.
func waitChinese(t *testing.T, p *browser.Page) {
	t.Helper()
	p.Wait(`html[lang="zh-CN"]`)
	var label string
	p.Eval(`document.querySelector('[data-testid="user-menu"]').getAttribute("aria-label")`, &label)
	if !han.MatchString(label) {
		t.Errorf(`<html lang="zh-CN"> but the account menu is labelled %q`, label)
	}
}
