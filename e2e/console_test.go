package e2e

import (
	"net/url"
	"testing"

	"github.com/rapport-crm/rapport/e2e/browser"
	"github.com/rapport-crm/rapport/e2e/stack"
)

// The console's DOM contract: the sign-in form's fields and buttons, the
// signed-in shell and its controls.
const (
	signinTenant   = "#signin-tenant"
	signinEmail    = "#signin-email"
	signinPassword = "#signin-password"
)

// Desktop and phone are the two viewports every console test walks.
var (
	desktop = [2]int{1440, 900}
	phone   = [2]int{375, 812}
)

// fillSignIn types the tenant's slug, the user's email and password into
// the sign-in form showing on p and submits it.
func fillSignIn(p *browser.Page, slug, email, password string) {
	p.WaitTestID("page-signin")
	p.Fill(signinTenant, slug)
	p.Fill(signinEmail, email)
	p.Fill(signinPassword, password)
	p.Click(browser.TestID("signin-submit"))
}

// signIn opens a page of size at the console's home, signs u of tn in with
// the password and waits for the signed-in shell.
func signIn(t *testing.T, s *stack.Stack, tn *stack.Tenant, u *stack.User, size [2]int) *browser.Page {
	t.Helper()
	p := browser.NewPage(t, size[0], size[1])
	p.Go(s.GatewayURL + "/")
	fillSignIn(p, tn.Slug, u.Email, u.Password)
	p.WaitTestID("app-shell")
	return p
}

// pagePath is the path of p's address (with its query, if any).
func pagePath(t *testing.T, p *browser.Page) string {
	t.Helper()
	u, err := url.Parse(p.URL())
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}
