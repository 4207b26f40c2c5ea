package proxy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
)

// portalsFunc adapts a function to PortalTenants.
type portalsFunc func(ctx context.Context, slug, domain string) (string, error)

func (f portalsFunc) PortalTenant(ctx context.Context, slug, domain string) (string, error) {
	return f(ctx, slug, domain)
}

var errNoTenant = errs.New(errs.NotFound, "tenant-not-found", "tenant not found")

// portals knows acme's portal by slug and by its domain help.acme.test;
// initech is suspended (not found, as unknown tenants are).
var portals = portalsFunc(func(_ context.Context, slug, domain string) (string, error) {
	if slug == "acme" || slug == "" && domain == "help.acme.test" {
		return acmeID, nil
	}
	return "", errNoTenant
})

// newPortal starts the gateway's portal handler in front of an upstream
// support service; the console's pages answer 200 "page".
func newPortal(t *testing.T) (*upstream, *httptest.Server) {
	t.Helper()
	e := newEnv(t)
	up := newUpstream(t, e, "support", nil)
	h, _ := newGateway(t, e, Config{Resolver: instances(up.addr())})
	pages := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("page")) })
	srv := httptest.NewServer(h.Portal(PortalConfig{Tenants: portals, Next: pages}))
	t.Cleanup(srv.Close)
	return up, srv
}

func TestPortalForwardsAsTheTenantsPortalOnly(t *testing.T) {
	up, srv := newPortal(t)
	e := newEnv(t)
	admin := &auth.Principal{TenantID: globexID, UserID: "admin", Permissions: []string{"*"}}
	resp := do(t, "GET", srv.URL+"/portal/acme/api/v1/articles?q=printer", admin, e, nil, map[string]string{
		"X-Tenant-Id": globexID, "X-User-Id": "admin", "X-Internal-Token": "x", "X-Portal-Base": "https://evil.test", "Cookie": "s=1"})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	s := up.last(t)
	if s.Path != "/portal/v1/articles" || s.Query != "q=printer" || s.AuthErr != "" {
		t.Errorf("the upstream saw %s?%s (token error %q)", s.Path, s.Query, s.AuthErr)
	}
	if p := s.Principal; p.TenantID != acmeID || p.UserID != PortalUserID || !slices.Equal(p.Permissions, []string{PortalPermission}) ||
		len(p.Roles)+len(p.Scopes)+len(p.Teams) != 0 {
		t.Errorf("the upstream's principal %+v, want acme's portal with support:portal only", p)
	}
	for _, h := range []string{"X-Tenant-Id", "X-User-Id", "X-Internal-Token", "Cookie"} {
		if s.Header.Get(h) != "" {
			t.Errorf("%s reached the upstream", h)
		}
	}
	if got := s.Header.Get(PortalBaseHeader); got != "/portal/acme" {
		t.Errorf("%s = %q, want the gateway's /portal/acme", PortalBaseHeader, got)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}

	// by the tenant's domain
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/portal/api/v1/cases", stringsReader(`{}`))
	req.Host = "Help.Acme.Test:443"
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if s := up.last(t); r2.StatusCode != 200 || s.Path != "/portal/v1/cases" || s.Principal.TenantID != acmeID ||
		s.Header.Get(PortalBaseHeader) != "https://help.acme.test/portal" {
		t.Errorf("by domain: %d, upstream saw %s as %s with base %q", r2.StatusCode, s.Path, s.Principal.TenantID, s.Header.Get(PortalBaseHeader))
	}
}

func TestPortalRefusesUnknownTenantsAndOtherPaths(t *testing.T) {
	up, srv := newPortal(t)
	for _, p := range []string{
		"/portal/nobody/api/v1/articles",          // unknown tenant
		"/portal/initech/api/v1/articles",         // suspended
		"/portal/api/v1/articles",                 // a Host that is no tenant's domain
		"/portal/acme/api/v1/../../v1/contacts",   // out of the portal's API
		"/portal/acme/api/v1/articles/../../../x", // the same, deeper
		"/portal/acme/api/v2/articles",
		"/portal/acme/api/contacts",
		"/portal/acme/api/v1%2F..%2F..%2Fv1%2Fcontacts",
		"/portal/acme/api/v1//articles",
	} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+p, nil)
		req.URL.Opaque = "//" + req.URL.Host + p // sent as written, dot segments and escapes kept
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if pt := problemType(t, resp); resp.StatusCode != 404 || pt != "portal-not-found" {
			t.Errorf("%s: %d %s, want 404 portal-not-found", p, resp.StatusCode, pt)
		}
		resp.Body.Close()
	}
	if n := up.count(); n != 0 {
		t.Errorf("the upstream saw %d requests", n)
	}
	resp := do(t, "GET", srv.URL+"/portal/acme", nil, nil, nil, nil)
	if resp.StatusCode != 200 {
		t.Errorf("the portal's page: %d, want the console's", resp.StatusCode)
	}
}

func TestPortalAPIPath(t *testing.T) {
	for p, want := range map[string][3]string{
		"/portal/acme/api/v1/articles": {"acme", "v1/articles", "ok"},
		"/portal/api/v1/articles":      {"", "v1/articles", "ok"},
		"/portal/api/api/v1/cases":     {"api", "v1/cases", "ok"},
		"/portal/acme":                 {"", "", ""},
		"/portal/acme/cases/1":         {"", "", ""},
		"/portal//api/v1":              {"", "", ""},
		"/v1/contacts":                 {"", "", ""},
	} {
		slug, rest, ok := portalAPIPath(p)
		if got := [3]string{slug, rest, map[bool]string{true: "ok"}[ok]}; ok != (want[2] == "ok") || ok && got != want {
			t.Errorf("portalAPIPath(%q) = %q, want %q", p, got, want)
		}
	}
}
