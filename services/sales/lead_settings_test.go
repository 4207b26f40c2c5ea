package sales_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/sales/leads"
	"github.com/rapport-crm/rapport/services/sales/marketingevents"
)

// TestLeadSettingsRegion: a tenant without a default region takes only
// international numbers; once an admin sets CN, a national number is read
// in China's plan by a create, a patch, an import and a marketing event,
// and another tenant still refuses it. A bad region is a 400 naming
// defaultRegion; setting needs sales:admin.
func TestLeadSettingsRegion(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	r := e.want(e.do(u, "POST", "/v1/leads", map[string]any{"lastName": "Wang", "phone": "13800138000"}), http.StatusBadRequest)
	if !slices.Equal(r.fields(), []string{"phone"}) {
		t.Errorf("a national number without a region names %v, want phone", r.fields())
	}
	if got := contracttest.Decode[leads.Settings](e.want(e.do(u.as("sales:read"), "GET", "/v1/lead-settings", nil), http.StatusOK)); got.DefaultRegion != "" {
		t.Errorf("unset settings %+v", got)
	}

	e.want(e.do(u.as("sales:read", "sales:write"), "PUT", "/v1/lead-settings", map[string]any{"defaultRegion": "CN"}), http.StatusForbidden)
	r = e.want(e.do(u, "PUT", "/v1/lead-settings", map[string]any{"defaultRegion": "XX"}), http.StatusBadRequest)
	if !slices.Equal(r.fields(), []string{"defaultRegion"}) {
		t.Errorf("a bad region names %v, want defaultRegion", r.fields())
	}
	set := contracttest.Decode[leads.Settings](e.want(e.do(u, "PUT", "/v1/lead-settings", map[string]any{"defaultRegion": "cn"}), http.StatusOK))
	if set.DefaultRegion != "CN" || set.UpdatedBy != u.id || set.UpdatedAt == nil {
		t.Errorf("set %+v", set)
	}
	if got := contracttest.Decode[leads.Settings](e.want(e.do(u.as("sales:read"), "GET", "/v1/lead-settings", nil), http.StatusOK)); got.DefaultRegion != "CN" {
		t.Errorf("read %+v", got)
	}

	l := createLead(e, u, map[string]any{"lastName": "Wang", "phone": "138 0013 8000"})
	if l.PhoneE164 != "+8613800138000" || l.Phone != "138 0013 8000" {
		t.Errorf("created with %q (%q), want +8613800138000", l.PhoneE164, l.Phone)
	}
	patched := contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, l.Version, map[string]any{"phone": "010 1234 5678"}, http.StatusOK))
	if patched.PhoneE164 != "+861012345678" {
		t.Errorf("patched to %q, want +861012345678", patched.PhoneE164)
	}
	other := newUser(uuid.NewString())
	e.want(e.do(other, "POST", "/v1/leads", map[string]any{"lastName": "Wang", "phone": "13800138000"}), http.StatusBadRequest)

	im := importLeads(e, u, map[string]any{"mapping": map[string]any{"Name": "lastName", "Mobile": "phone"}}, "Name,Mobile\nLi,13900139000\n")
	if importFigures(im) != [5]int64{1, 1, 0, 0, 0} {
		t.Fatalf("import %+v, want one lead created", im)
	}
	if got := leadsOf(e, u, "Li"); len(got) != 1 || got[0].PhoneE164 != "+8613900139000" {
		t.Errorf("imported %+v, want +8613900139000", got)
	}

	form := marketingEvent(t, marketingevents.TypeFormSubmitted, u.tenant, map[string]any{"lastName": "Zhao", "phone": "13700137000",
		"submittedAt": time.Now().UTC().Format(time.RFC3339)})
	e.send(registry.Marketing, form)
	e.waitInbox(form.ID)
	if got := leadsOf(e, u, "Zhao"); len(got) != 1 || got[0].PhoneE164 != "+8613700137000" {
		t.Errorf("the form's lead %+v, want +8613700137000", got)
	}
}
