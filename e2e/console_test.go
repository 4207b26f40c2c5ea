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

// scene is a tenant on the stack that a console test sets up through the
// public API as the tenant's administrator.
type scene struct {
	s  *stack.Stack
	tn *stack.Tenant
}

// api calls the gateway as the tenant's administrator, failing the test
// unless it answers want; out, if not nil, takes the answer's JSON.
func (c *scene) api(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	stack.Must(t, stack.Request{Method: method, URL: c.s.GatewayURL + path, Token: c.tn.Admin.Token, Body: body}, want, out)
}

// create calls api and returns the id of the record it answers with.
func (c *scene) create(t *testing.T, method, path string, body any, want int) string {
	t.Helper()
	var rec struct {
		ID string `json:"id"`
	}
	c.api(t, method, path, body, want, &rec)
	return rec.ID
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
