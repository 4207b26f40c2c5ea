package identity

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/ids"
)

// TestMarketingTenant: the public marketing pages find an active tenant by
// its slug or by its id, in any case of the id; a suspended, unknown or
// unnamed tenant is ErrTenantNotFound, from the cache too.
func TestMarketingTenant(t *testing.T) {
	e := setup(t)
	acme, _ := e.tenant(t, "acme")
	initech, _ := e.tenant(t, "initech")
	e.c.call(t, "POST", "/admin/v1/tenants/"+initech.ID+"/suspend", platformAuth(), nil, 200, nil)
	ctx := t.Context()
	for _, ref := range []string{"acme", acme.ID, strings.ToUpper(acme.ID)} {
		for range 2 { // the second answer is the cache's
			if id, err := e.s.MarketingTenant(ctx, ref); err != nil || id != acme.ID {
				t.Errorf("MarketingTenant(%q) = %q, %v; want acme's %s", ref, id, err, acme.ID)
			}
		}
	}
	for _, ref := range []string{"initech", initech.ID, "nobody", ids.New(), ""} {
		for range 2 {
			if id, err := e.s.MarketingTenant(ctx, ref); !isErr(err, ErrTenantNotFound) {
				t.Errorf("MarketingTenant(%q) = %q, %v; want ErrTenantNotFound", ref, id, err)
			}
		}
	}
}

// TestUUIDsAreNoSlugs: a tenant cannot take a slug that is a UUID, which
// the public marketing pages would read as a tenant's id.
func TestUUIDsAreNoSlugs(t *testing.T) {
	e := setup(t)
	for _, slug := range []string{ids.New(), strings.ReplaceAll(ids.New(), "-", "")} {
		var p struct {
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		e.c.call(t, "POST", "/admin/v1/tenants", platformAuth(), map[string]any{"slug": slug, "name": "Ids",
			"admin": map[string]string{"email": "ops@ids.test"}}, 400, &p)
		if len(p.Errors) != 1 || p.Errors[0].Field != "slug" {
			t.Errorf("slug %q: errors %+v, want one naming slug", slug, p.Errors)
		}
	}
}
