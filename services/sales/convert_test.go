package sales_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/sales/leads"
)

// TestConvertLeadWithoutContacts: what a conversion refuses before it
// calls contacts, on the service without a contacts URL (the harness's
// configuration): bad choices are 400s naming each field, another's lead
// is not found, and then the missing configuration is a 503 that leaves
// the lead as it was and publishes nothing. The conversion through the
// real gateway and contacts is e2e's TestLeadConversion.
func TestConvertLeadWithoutContacts(t *testing.T) {
	e := newEnv(t)
	owner := newUser(uuid.NewString())
	l := createLead(e, owner, map[string]any{"lastName": "Lovelace", "company": "Analytical", "email": "ada@analytical.example"})
	convert := func(u user, id string, body any, status int) reply {
		t.Helper()
		return e.want(e.do(u, "POST", "/v1/leads/"+id+"/convert", body), status)
	}

	t.Run("bad choices name their fields", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			body   map[string]any
			fields []string
		}{
			{"existing ids that are no UUIDs", map[string]any{"account": map[string]any{"existingId": "acme"}, "contact": map[string]any{"existingId": "ada"}},
				[]string{"account/existingId", "contact/existingId"}},
			{"an existing id and create", map[string]any{"contact": map[string]any{"existingId": uuid.NewString(), "create": true}}, []string{"contact/create"}},
			{"an account allowing duplicates", map[string]any{"account": map[string]any{"allowDuplicate": true}}, []string{"account/allowDuplicate"}},
			{"an opportunity's fields without create", map[string]any{"opportunity": map[string]any{"name": "Engines"}}, []string{"opportunity/create"}},
			{"an opportunity's fields with create false", map[string]any{"opportunity": map[string]any{"create": false, "closeDate": "2027-03-31"}},
				[]string{"opportunity/create"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if got := convert(owner, l.ID, tt.body, http.StatusBadRequest).fields(); !slices.Equal(got, tt.fields) {
					t.Errorf("fields %v, want %v", got, tt.fields)
				}
			})
		}
		r := e.want(e.do(owner, "POST", "/v1/leads/"+l.ID+"/convert", map[string]any{"opportunity": map[string]any{"create": true, "stage": "Won"}}),
			http.StatusBadRequest)
		if !strings.Contains(string(r.Raw), "stage") {
			t.Errorf("an unknown field is not named: %s", r.Raw)
		}
	})

	t.Run("another's lead is not found", func(t *testing.T) {
		convert(owner.scoped(auth.ScopeOwn), l.ID, map[string]any{}, http.StatusNotFound)
		convert(newUser(uuid.NewString()), l.ID, map[string]any{}, http.StatusNotFound)
		convert(owner, uuid.NewString(), map[string]any{}, http.StatusNotFound)
		convert(owner.as("sales:read"), l.ID, map[string]any{}, http.StatusForbidden)
	})

	t.Run("no contacts configured: 503, nothing changed", func(t *testing.T) {
		before := len(e.published())
		r := convert(owner, l.ID, map[string]any{"opportunity": map[string]any{"create": true}}, http.StatusServiceUnavailable)
		if got := contracttest.Decode[problemBody](r).Type; !strings.HasSuffix(got, "/contacts-not-configured") {
			t.Errorf("problem type %q, want contacts-not-configured", got)
		}
		// create false alone makes no opportunity, and passes the check.
		convert(owner, l.ID, map[string]any{"opportunity": map[string]any{"create": false}}, http.StatusServiceUnavailable)
		got := contracttest.Decode[leads.Lead](e.want(e.do(owner, "GET", "/v1/leads/"+l.ID, nil), http.StatusOK))
		if got.Status != leads.StatusNew || got.Version != l.Version || got.ConvertedContactID != "" {
			t.Errorf("the lead after a failed conversion: %+v", got)
		}
		if after := len(e.published()); after != before {
			t.Errorf("%d events published by a failed conversion", after-before)
		}
		validateEvents(t, e)
	})
}
