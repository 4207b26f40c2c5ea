package identity

import (
	"testing"
)

// TestPortalTenant: the public portal finds an active tenant by its slug
// or by one of its domains (never a slug for a domain); a suspended or
// unknown tenant is ErrTenantNotFound.
func TestPortalTenant(t *testing.T) {
	e := setup(t)
	var acme CreatedTenant
	e.c.call(t, "POST", "/admin/v1/tenants", platformAuth(), map[string]any{"slug": "acme", "name": "Acme",
		"domains": []string{"Help.Acme.Test"}, "admin": map[string]string{"email": "ops@acme.test"}}, 201, &acme)
	initech, _ := e.tenant(t, "initech")
	e.c.call(t, "POST", "/admin/v1/tenants/"+initech.ID+"/suspend", platformAuth(), nil, 200, nil)
	ctx := t.Context()
	for _, c := range []struct{ slug, domain string }{{"acme", ""}, {"", "help.acme.test"}, {"", "HELP.acme.test"}} {
		if id, err := e.s.PortalTenant(ctx, c.slug, c.domain); err != nil || id != acme.Tenant.ID {
			t.Errorf("PortalTenant(%q, %q) = %q, %v; want acme", c.slug, c.domain, id, err)
		}
	}
	for _, c := range []struct{ slug, domain string }{{"initech", ""}, {"nobody", ""}, {"", "acme"}, {"", "other.test"}, {"", ""}} {
		for range 2 { // the second answer is the cache's
			if id, err := e.s.PortalTenant(ctx, c.slug, c.domain); !isErr(err, ErrTenantNotFound) {
				t.Errorf("PortalTenant(%q, %q) = %q, %v; want ErrTenantNotFound", c.slug, c.domain, id, err)
			}
		}
	}
}

// TestPortalWordsAreNoSlugs: a tenant cannot take a slug that is the first
// segment of the portal's own paths on a tenant's domain; the answer names
// the field.
func TestPortalWordsAreNoSlugs(t *testing.T) {
	e := setup(t)
	for _, slug := range portalWords {
		var p struct {
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		e.c.call(t, "POST", "/admin/v1/tenants", platformAuth(), map[string]any{"slug": slug, "name": "Words",
			"admin": map[string]string{"email": "ops@words.test"}}, 400, &p)
		if len(p.Errors) != 1 || p.Errors[0].Field != "slug" {
			t.Errorf("slug %q: errors %+v, want one naming slug", slug, p.Errors)
		}
	}
}
