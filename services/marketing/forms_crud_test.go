package marketing_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/marketing/forms"
)

func TestFormsCRUDAndEvents(t *testing.T) {
	e := newFormsEnv(t, "")
	u := newUser(uuid.NewString())
	campaign := e.formsCampaign(u)
	// The campaign is one of the tenant's.
	for _, c := range []string{uuid.NewString(), e.formsCampaign(newUser(uuid.NewString()))} {
		if got := e.want(e.do(u, "POST", "/v1/forms", leadForm(c)), http.StatusBadRequest).fields(); !slices.Equal(got, []string{"campaignId"}) {
			t.Fatalf("campaign %s names %v", c, got)
		}
	}

	f := e.createForm(u, leadForm(campaign))
	if f.Name != "Webinar sign-up" || f.CampaignID != campaign || f.Language != "en" || f.Status != forms.StatusActive ||
		len(f.Fields) != 6 || f.Consent == nil || f.Consent.Channel != "email" || f.CreatedBy != u.id || f.Version != 1 ||
		len(f.Rejections) != 0 {
		t.Fatalf("created %+v", f)
	}
	if got := e.readForm(u, f.ID); got.ID != f.ID || got.Fields[4].MapsTo != "custom:teamSize" || got.Fields[4].Options[2] != "51+" {
		t.Fatalf("read %+v", got)
	}
	other := e.createForm(u, map[string]any{"name": "Contact us", "fields": []map[string]any{
		{"key": "email", "label": "Email", "type": "email", "required": true, "mapsTo": "email"}},
		"redirectUrl": "https://example.com/thanks", "doubleOptIn": true, "language": "zh-CN"})
	page := contracttest.Decode[forms.Page[forms.Form]](e.want(e.do(u, "GET", "/v1/forms?limit=1", nil), http.StatusOK))
	if len(page.Items) != 1 || page.Items[0].ID != f.ID || page.NextCursor == "" {
		t.Fatalf("first page %+v", page)
	}
	page = contracttest.Decode[forms.Page[forms.Form]](e.want(e.do(u, "GET", "/v1/forms?limit=1&cursor="+page.NextCursor, nil), http.StatusOK))
	if len(page.Items) != 1 || page.Items[0].ID != other.ID || page.NextCursor != "" {
		t.Fatalf("second page %+v", page)
	}

	// A merge patch with If-Match; null removes; a bad change names its field.
	patched := contracttest.Decode[forms.Form](e.want(e.do(u, "PATCH", "/v1/forms/"+f.ID,
		map[string]any{"consent": nil, "thankYou": map[string]any{"message": "See you there!"}, "status": "inactive"},
		"If-Match", kitx.ETag(1)), http.StatusOK))
	if patched.Consent != nil || patched.ThankYou == nil || patched.ThankYou.Message != "See you there!" || patched.Status != "inactive" ||
		patched.Version != 2 || patched.CampaignID != campaign {
		t.Fatalf("patched %+v", patched)
	}
	e.want(e.do(u, "PATCH", "/v1/forms/"+f.ID, map[string]any{"name": "x"}, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	e.want(e.do(u, "PATCH", "/v1/forms/"+f.ID, map[string]any{"name": "x"}), http.StatusPreconditionRequired)
	if got := e.want(e.do(u, "PATCH", "/v1/forms/"+f.ID, map[string]any{"redirectUrl": "javascript:alert(1)"}, "If-Match", kitx.ETag(2)),
		http.StatusBadRequest).fields(); !slices.Equal(got, []string{"redirectUrl"}) {
		t.Fatalf("a javascript: redirect names %v", got)
	}

	// Permissions and tenants.
	reader := u.as("marketing:read")
	e.want(e.do(reader, "GET", "/v1/forms/"+f.ID, nil), http.StatusOK)
	e.want(e.do(reader, "POST", "/v1/forms", leadForm("")), http.StatusForbidden)
	e.want(e.do(formsVisitor(u), "GET", "/v1/forms/"+f.ID, nil), http.StatusForbidden)
	stranger := newUser(uuid.NewString())
	e.want(e.do(stranger, "GET", "/v1/forms/"+f.ID, nil), http.StatusNotFound)
	e.want(e.do(stranger, "DELETE", "/v1/forms/"+f.ID, nil), http.StatusNotFound)

	e.want(e.do(u, "DELETE", "/v1/forms/"+f.ID, nil, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	e.want(e.do(u, "DELETE", "/v1/forms/"+f.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/forms/"+f.ID, nil), http.StatusNotFound)
	if got := e.formEvents(f.ID); !slices.Equal(got, []string{"form.created", "form.updated", "form.deleted"}) {
		t.Fatalf("events %v", got)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

func TestFormsBadDefinitionsNameTheirFields(t *testing.T) {
	e := newFormsEnv(t, "")
	u := newUser(uuid.NewString())
	for _, tc := range []struct {
		name string
		body map[string]any
		want []string
	}{
		{"empty", map[string]any{"name": " ", "fields": []any{}}, []string{"name", "fields"}},
		{"fields", map[string]any{"name": "F", "fields": []map[string]any{
			{"key": "website", "label": "Site", "type": "text"},
			{"key": "1st", "label": "", "type": "date"},
			{"key": "pick", "label": "Pick", "type": "select"},
			{"key": "mail", "label": "Mail", "type": "text", "mapsTo": "email"},
			{"key": "name", "label": "Name", "type": "text", "mapsTo": "nickname", "options": []string{"a"}},
			{"key": "name", "label": "Name", "type": "text", "mapsTo": "custom:"},
		}}, []string{"fields/0/key", "fields/1/key", "fields/1/label", "fields/1/type", "fields/2/options", "fields/3/mapsTo",
			"fields/4/options", "fields/4/mapsTo", "fields/5/key", "fields/5/mapsTo"}},
		{"consent and after", map[string]any{"name": "F", "fields": []map[string]any{{"key": "email", "label": "Email", "type": "email"}},
			"consent": map[string]any{"text": "", "channel": "fax"}, "thankYou": map[string]any{"message": "Thanks"},
			"redirectUrl": "ftp://example.com", "doubleOptIn": true, "campaignId": "nope", "status": "draft", "language": "english!"},
			[]string{"campaignId", "language", "status", "consent/text", "consent/channel", "redirectUrl", "doubleOptIn"}},
	} {
		got := e.want(e.do(u, "POST", "/v1/forms", tc.body), http.StatusBadRequest).fields()
		for _, f := range tc.want {
			if !slices.Contains(got, f) {
				t.Errorf("%s: %v does not name %s", tc.name, got, f)
			}
		}
	}
	// Fields the service sets are read-only; unknown ones are refused.
	body := leadForm("")
	body["version"], body["colour"] = 3, "red"
	if got := e.want(e.do(u, "POST", "/v1/forms", body), http.StatusBadRequest).fields(); !slices.Equal(got, []string{"version"}) {
		t.Fatalf("read-only: %v", got)
	}
	delete(body, "version")
	if got := e.want(e.do(u, "POST", "/v1/forms", body), http.StatusBadRequest); !strings.Contains(string(got.Raw), "colour") {
		t.Fatalf("unknown field: %s", got.Raw)
	}
}

func TestFormsTablesHaveRowLevelSecurity(t *testing.T) {
	e := newFormsEnv(t, "")
	tables, err := pg.TablesWithoutRLS(context.Background(), e.admin.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"forms", "form_submissions", "form_rate_limits"} {
		if slices.Contains(tables, table) {
			t.Errorf("%s has no row-level security", table)
		}
		var n int
		if err := e.admin.Get(&n, `SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
			WHERE c.relname = $1 AND p.polname = 'tenant_isolation'`, table); err != nil || n != 1 {
			t.Errorf("%s: %d tenant_isolation policies (%v)", table, n, err)
		}
	}
}
