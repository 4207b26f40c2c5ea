package proxy

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"
)

// marketingTenantsFunc adapts a function to MarketingTenants.
type marketingTenantsFunc func(ctx context.Context, ref string) (string, error)

func (f marketingTenantsFunc) MarketingTenant(ctx context.Context, ref string) (string, error) {
	return f(ctx, ref)
}

// marketingTenants knows acme by its slug and by its id; initech is
// suspended (not found, as unknown tenants are).
var marketingTenants = marketingTenantsFunc(func(_ context.Context, ref string) (string, error) {
	if ref == "acme" || ref == acmeID {
		return acmeID, nil
	}
	return "", errNoTenant
})

// pixel is a GIF as the service would answer an open.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// newMarketing starts the gateway's public marketing handler in front of
// an upstream marketing service answering as the real one does: a click
// redirects, an open is a GIF, the rest is an HTML page.
func newMarketing(t *testing.T) (*upstream, *httptest.Server) {
	t.Helper()
	e := newEnv(t)
	up := newUpstream(t, e, "marketing", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/public/v1/t/c/"):
			http.Redirect(w, r, "https://shop.example/sale?utm_source=rapport", http.StatusFound)
		case strings.HasPrefix(r.URL.Path, "/public/v1/t/o/"):
			w.Header().Set("Content-Type", "image/gif")
			_, _ = w.Write(pixel)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, `<!doctype html><html lang="en"><title>Unsubscribed</title></html>`)
		}
	})
	h, _ := newGateway(t, e, Config{Resolver: instances(up.addr())})
	srv := httptest.NewServer(h.Marketing(MarketingConfig{Tenants: marketingTenants}))
	t.Cleanup(srv.Close)
	return up, srv
}

// noRedirects is a client that returns a redirect rather than following it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestMarketingForwardsAsTheTenantsPublicPrincipal(t *testing.T) {
	up, srv := newMarketing(t)
	e := newEnv(t)
	admin := &auth.Principal{TenantID: globexID, UserID: "admin", Permissions: []string{"*"}}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/m/acme/t/c/tok3n?u=1", nil)
	for k, v := range map[string]string{"Authorization": "Bearer " + e.token(t, *admin), "X-Tenant-Id": globexID, "X-User-Id": "admin",
		"X-Internal-Token": "x", "Cookie": "s=1", "User-Agent": "Thunderbird/128", "X-Forwarded-For": "203.0.113.9"} {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://shop.example/sale?utm_source=rapport" {
		t.Errorf("click: %d to %q, want the service's 302 as it is", resp.StatusCode, resp.Header.Get("Location"))
	}
	s := up.last(t)
	if s.Method != "GET" || s.Path != "/public/v1/t/c/tok3n" || s.Query != "u=1" || s.AuthErr != "" {
		t.Errorf("the upstream saw %s %s?%s (token error %q)", s.Method, s.Path, s.Query, s.AuthErr)
	}
	if p := s.Principal; p.TenantID != acmeID || p.UserID != MarketingUserID || !slices.Equal(p.Permissions, []string{MarketingPermission}) ||
		len(p.Roles)+len(p.Scopes)+len(p.Teams) != 0 {
		t.Errorf("the upstream's principal %+v, want acme's public principal with marketing:public only", p)
	}
	for _, h := range []string{"X-Tenant-Id", "X-User-Id", "X-Internal-Token", "Cookie"} {
		if s.Header.Get(h) != "" {
			t.Errorf("%s reached the upstream", h)
		}
	}
	if got := s.Header.Get("User-Agent"); got != "Thunderbird/128" {
		t.Errorf("User-Agent upstream %q, want the client's", got)
	}
	if got := s.Header.Get("X-Forwarded-For"); got != "127.0.0.1" {
		t.Errorf("X-Forwarded-For upstream %q, want the client's address as the gateway saw it, not what it claimed", got)
	}
	if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("Cache-Control %q, X-Content-Type-Options %q", resp.Header.Get("Cache-Control"), resp.Header.Get("X-Content-Type-Options"))
	}

	// the open pixel, by the tenant's id
	open := do(t, "GET", srv.URL+"/m/"+acmeID+"/t/o/tok3n", nil, nil, nil, nil)
	body, _ := io.ReadAll(open.Body)
	if open.StatusCode != 200 || open.Header.Get("Content-Type") != "image/gif" || string(body) != string(pixel) {
		t.Errorf("open: %d %s %q, want the service's GIF", open.StatusCode, open.Header.Get("Content-Type"), body)
	}
	if s := up.last(t); s.Path != "/public/v1/t/o/tok3n" || s.Principal.TenantID != acmeID {
		t.Errorf("by id: the upstream saw %s as %s", s.Path, s.Principal.TenantID)
	}

	// the one-click unsubscribe (RFC 8058): a POST with its form body
	post := do(t, "POST", srv.URL+"/m/acme/u/tok3n", nil, nil, stringsReader("List-Unsubscribe=One-Click"),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	body, _ = io.ReadAll(post.Body)
	if post.StatusCode != 200 || !strings.HasPrefix(post.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), `lang="en"`) {
		t.Errorf("unsubscribe: %d %s %q, want the service's page", post.StatusCode, post.Header.Get("Content-Type"), body)
	}
	if s := up.last(t); s.Method != "POST" || s.Path != "/public/v1/u/tok3n" || s.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("unsubscribe: the upstream saw %s %s (%s)", s.Method, s.Path, s.Header.Get("Content-Type"))
	}
}

func TestMarketingRefusesUnknownTenantsAndOtherPaths(t *testing.T) {
	up, srv := newMarketing(t)
	for _, p := range []string{
		"/m/nobody/t/o/tok",               // unknown tenant
		"/m/initech/t/o/tok",              // suspended
		"/m/" + globexID + "/t/o/tok",     // an id no active tenant has
		"/m/acme",                         // no page
		"/m/acme/",                        // no page
		"/m//t/o/tok",                     // no tenant
		"/m/acme/../../v1/contacts",       // out of the public pages
		"/m/acme/t/../../../v1/contacts",  // the same, deeper
		"/m/../v1/contacts",               // the tenant a dot segment
		"/m/acme/t/o%2F..%2F..%2Fv1%2Fx",  // encoded slashes
		"/m/acme//t/o/tok",                // doubled slash
		"/m/acme/./t/o/tok",               // a dot segment
		"/m/%61cme/t/o/tok",               // an escaped tenant
		"/m/acme/forms/1/confirm/../../x", // out of the form
	} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+p, nil)
		req.URL.Opaque = "//" + req.URL.Host + p // sent as written, dot segments and escapes kept
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if pt := problemType(t, resp); resp.StatusCode != 404 || pt != "page-not-found" {
			t.Errorf("%s: %d %s, want 404 page-not-found", p, resp.StatusCode, pt)
		}
		resp.Body.Close()
	}
	if n := up.count(); n != 0 {
		t.Errorf("the upstream saw %d requests", n)
	}
}

func TestMarketingRoute(t *testing.T) {
	for p, want := range map[string][3]string{
		"/m/acme/t/o/tok":            {"acme", "t/o/tok", "ok"},
		"/m/" + acmeID + "/u/tok":    {acmeID, "u/tok", "ok"},
		"/m/acme/forms/1/":           {"acme", "forms/1/", "ok"},
		"/m/acme/preferences/tok":    {"acme", "preferences/tok", "ok"},
		"/m/acme":                    {"", "", ""},
		"/m/acme/":                   {"", "", ""},
		"/m//t":                      {"", "", ""},
		"/m/acme/t/../x":             {"", "", ""},
		"/m/acme/t//x":               {"", "", ""},
		"/portal/acme/api/v1/cases":  {"", "", ""},
		"/v1/contacts":               {"", "", ""},
		"/m/acme/t/o/tok/./":         {"", "", ""},
		"/m/acme/forms/1/confirm/xy": {"acme", "forms/1/confirm/xy", "ok"},
	} {
		tenant, rest, ok := MarketingRoute(p)
		if got := [3]string{tenant, rest, map[bool]string{true: "ok"}[ok]}; ok != (want[2] == "ok") || ok && got != want {
			t.Errorf("MarketingRoute(%q) = %q, want %q", p, got, want)
		}
	}
}
