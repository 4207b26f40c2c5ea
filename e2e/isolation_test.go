package e2e

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// wantStatus is what c should get for p: 403 when the gateway or the
// service refuses a permission c lacks, which the refusal names, else
// p.want.
func (p probe) wantStatus(c caller) (status int, missing string) {
	switch {
	case !c.perms.Can(p.gate):
		return http.StatusForbidden, p.gate
	case p.svc != "" && !c.perms.Can(p.svc):
		return http.StatusForbidden, p.svc
	}
	return p.want, ""
}

// testIsolation runs every probe as every caller of attacker against
// victim's records (issue 4): status as wanted, a refusal naming the
// permission missing (so the gateway asks for gate and the service for svc,
// not more), and not one of the victim's markers (nor, where the request did
// not name them, its ids) in any answer.
func testIsolation(t *testing.T, st *stack.Stack, attacker, victim *side) {
	for _, c := range attacker.callers {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range probes(victim.fixture) {
				t.Run(p.name, func(t *testing.T) {
					res := stack.Do(t, stack.Request{Method: p.method, URL: st.GatewayURL + p.path, Token: c.token, Body: p.body, Header: p.header})
					want, missing := p.wantStatus(c)
					if res.Status != want {
						t.Errorf("status = %d, want %d; body %s", res.Status, want, res.Body)
					} else if missing != "" && !strings.Contains(string(res.Body), missing) {
						t.Errorf("refusal %s does not name the permission missing, %s", res.Body, missing)
					}
					assertNoLeak(t, res.Body, victim.fixture, !p.echoes)
					if p.check != nil && res.Status/100 == 2 {
						p.check(t, res.Body)
					}
				})
			}
		})
	}
}

// assertNoLeak fails when body holds one of f's markers, or one of its ids
// when withIDs is set.
func assertNoLeak(t *testing.T, body []byte, f fixture, withIDs bool) {
	t.Helper()
	secrets := f.Markers
	if withIDs {
		secrets = append(secrets[:len(secrets):len(secrets)], f.IDs()...)
		secrets = append(secrets, f.ScanID, f.ImportID, f.LeadImportID, f.DefaultPipelineID, f.Marketing.Suppressed)
	}
	for _, s := range secrets {
		if strings.Contains(strings.ToLower(string(body)), strings.ToLower(s)) {
			t.Errorf("answer leaks %q of the other tenant: %s", s, body)
		}
	}
}

// testControls checks the probes can see something at all: a tenant's own
// administrator finds its own records with the same reads.
func testControls(t *testing.T, st *stack.Stack, s *side) {
	f := s.fixture
	q := url.QueryEscape
	tests := []struct {
		name, method, path string
		body               any
		want               string // an id the answer must hold
	}{
		{"get contact", "GET", "/v1/contacts/" + f.ContactID, nil, f.ContactID},
		{"get account", "GET", "/v1/accounts/" + f.AccountID, nil, f.AccountID},
		{"contact consent history", "GET", "/v1/contacts/" + f.ContactID + "/consent-history", nil, f.ContactID},
		{"contact timeline", "GET", "/v1/contacts/" + f.ContactID + "/timeline", nil, f.ActivityID},
		{"contact personal data", "GET", "/v1/contacts/" + f.ContactID + "/personal-data", nil, f.ActivityID},
		{"account timeline", "GET", "/v1/accounts/" + f.AccountID + "/timeline", nil, f.AccountID},
		{"list contacts", "GET", "/v1/contacts?limit=200", nil, f.ContactID},
		{"list accounts", "GET", "/v1/accounts?limit=200", nil, f.AccountID},
		{"list tags", "GET", "/v1/tags", nil, f.TagID},
		{"list custom fields", "GET", "/v1/custom-fields", nil, f.FieldID},
		{"search contacts by name", "GET", "/v1/contacts?q=" + q(f.FirstName), nil, f.ContactID},
		{"search contacts by email", "GET", "/v1/contacts?q=" + q(f.Email), nil, f.ContactID},
		{"search accounts by name", "GET", "/v1/accounts?q=" + q(f.AccountName), nil, f.AccountID},
		{"filter contacts by email", "GET", "/v1/contacts?filter=" + q(fmt.Sprintf(`{"field":"emails","op":"eq","value":%q}`, f.Email)), nil, f.ContactID},
		{"filter accounts by domain", "GET", "/v1/accounts?filter=" + q(fmt.Sprintf(`{"field":"domain","op":"eq","value":%q}`, f.Domain)), nil, f.AccountID},
		{"search body contacts", "POST", "/v1/contacts/search", map[string]any{"q": f.FirstName}, f.ContactID},
		{"search body accounts", "POST", "/v1/accounts/search", map[string]any{"q": f.AccountName}, f.AccountID},
		{"export contacts", "GET", "/v1/contacts/export", nil, f.ContactID},
		{"export contacts as NDJSON", "GET", "/v1/contacts/export?format=ndjson", nil, f.ContactID},
		{"export contacts by name", "GET", "/v1/contacts/export?q=" + q(f.FirstName), nil, f.ContactID},
		{"export accounts", "GET", "/v1/accounts/export", nil, f.AccountID},
		{"get saved view", "GET", "/v1/saved-views/" + f.ViewID, nil, f.ViewID},
		{"list saved views", "GET", "/v1/saved-views", nil, f.ViewID},
		{"list contacts through the view", "GET", "/v1/contacts?view=" + f.ViewID, nil, f.ContactID},
		{"export contacts through the view", "GET", "/v1/contacts/export?view=" + f.ViewID, nil, f.ContactID},
		{"get duplicate scan", "GET", "/v1/duplicate-scans/" + f.ScanID, nil, f.ScanID},
		{"get import", "GET", "/v1/imports/" + f.ImportID, nil, f.ImportID},
		{"import errors", "GET", "/v1/imports/" + f.ImportID + "/errors", nil, "not-an-email"},
		{"list imports", "GET", "/v1/imports?limit=200", nil, f.ImportID},
		{"get lead import", "GET", "/v1/lead-imports/" + f.LeadImportID, nil, f.LeadImportID},
		{"lead import errors", "GET", "/v1/lead-imports/" + f.LeadImportID + "/errors", nil, "not-an-email"},
		{"list lead imports", "GET", "/v1/lead-imports?limit=200", nil, f.LeadImportID},
		{"get activity", "GET", "/v1/activities/" + f.ActivityID, nil, f.ActivityID},
		{"list the contact's activities", "GET", "/v1/activities?contact=" + f.ContactID, nil, f.ActivityID},
		{"the team's calendar", "GET", "/v1/activities/calendar?from=2098-12-01T00:00:00Z&to=2099-02-01T00:00:00Z&team=" + f.Team, nil, f.ActivityID},
		{"look up the contact's phone", "GET", "/v1/lookup/phone/" + url.PathEscape(f.Phone), nil, f.ContactID},
		{"list pipelines", "GET", "/v1/pipelines", nil, f.PipelineID},
		{"get pipeline", "GET", "/v1/pipelines/" + f.PipelineID, nil, f.PipelineID},
		{"get default pipeline", "GET", "/v1/pipelines/" + f.DefaultPipelineID, nil, f.DefaultPipelineID},
		{"pipeline board", "GET", "/v1/pipelines/" + f.PipelineID + "/board", nil, f.OpportunityID},
		{"list opportunities", "GET", "/v1/opportunities?limit=200", nil, f.OpportunityID},
		{"list the pipeline's opportunities", "GET", "/v1/opportunities?pipelineId=" + f.PipelineID, nil, f.OpportunityID},
		{"get opportunity", "GET", "/v1/opportunities/" + f.OpportunityID, nil, f.OpportunityID},
		{"opportunity stage history", "GET", "/v1/opportunities/" + f.OpportunityID + "/stage-history", nil, f.StageName},
		{"opportunity line items", "GET", "/v1/opportunities/" + f.OpportunityID + "/line-items", nil, f.OpportunityID},
		{"list opportunities by tag", "GET", "/v1/opportunities?tag=" + q(strings.ToLower(f.OpportunityTag)), nil, f.OpportunityID},
		{"list opportunity custom fields", "GET", "/v1/opportunity-custom-fields", nil, f.OpportunityFieldID},
		{"list quotes", "GET", "/v1/quotes?limit=200", nil, f.QuoteID},
		{"get quote", "GET", "/v1/quotes/" + f.QuoteID, nil, f.QuoteID},
		{"quote as HTML", "GET", "/v1/quotes/" + f.QuoteID + "/html", nil, "Quoted" + f.Markers[0]},
		{"list leads", "GET", "/v1/leads?limit=200", nil, f.LeadID},
		{"search leads by email", "GET", "/v1/leads?q=" + q(f.LeadEmail), nil, f.LeadID},
		{"get lead", "GET", "/v1/leads/" + f.LeadID, nil, f.LeadID},
		{"lead duplicates", "GET", "/v1/leads/" + f.LeadID + "/duplicates", nil, `"items":[]`},
		{"list leads by tag", "GET", "/v1/leads?tag=" + q(strings.ToLower(f.LeadTag)), nil, f.LeadID},
		{"list lead custom fields", "GET", "/v1/lead-custom-fields", nil, f.LeadFieldID},
		{"list lead assignment rules", "GET", "/v1/lead-assignment-rules", nil, f.LeadRuleID},
		{"get lead assignment rule", "GET", "/v1/lead-assignment-rules/" + f.LeadRuleID, nil, f.LeadRuleID},
		{"list lead scoring rules", "GET", "/v1/lead-scoring-rules", nil, f.ScoringRuleID},
		{"get lead scoring rule", "GET", "/v1/lead-scoring-rules/" + f.ScoringRuleID, nil, f.ScoringRuleID},
		{"lead score", "GET", "/v1/leads/" + f.LeadID + "/score", nil, f.ScoringRuleID},
		{"lead assignment", "GET", "/v1/leads/" + f.LeadID + "/assignment", nil, f.LeadID},
		{"list products", "GET", "/v1/products?limit=200", nil, f.ProductID},
		{"get product", "GET", "/v1/products/" + f.ProductID, nil, f.ProductID},
		{"list price books", "GET", "/v1/price-books", nil, f.PriceBookID},
		{"get price book", "GET", "/v1/price-books/" + f.PriceBookID, nil, f.PriceBookID},
		{"list price book entries", "GET", "/v1/price-books/" + f.PriceBookID + "/entries", nil, f.ProductID},
		{"the forecast", "GET", "/v1/forecasts?period=2099-Q1&currency=USD", nil, `"pipeline":137173`},
		{"the forecast by team", "GET", "/v1/forecasts?period=2099-Q1&currency=EUR&groupBy=team", nil, f.Markers[len(f.Markers)-1]},
	}
	for _, tt := range append(tests, marketingControls(f)...) {
		t.Run(tt.name, func(t *testing.T) {
			res := stack.Do(t, stack.Request{Method: tt.method, URL: st.GatewayURL + tt.path, Token: s.tenant.Admin.Token, Body: tt.body})
			if res.Status != http.StatusOK || !strings.Contains(string(res.Body), tt.want) {
				t.Errorf("got %d %s, want 200 holding %s", res.Status, res.Body, tt.want)
			}
		})
	}
}

// testIntact checks the victim's records came through unchanged.
func testIntact(t *testing.T, st *stack.Stack, s *side) {
	f := s.fixture
	tests := []struct{ name, path string }{
		{"contact", "/v1/contacts/" + f.ContactID},
		{"second contact", "/v1/contacts/" + f.Contact2ID},
		{"account", "/v1/accounts/" + f.AccountID},
		{"tag", "/v1/tags/" + f.TagID},
		{"custom field", "/v1/custom-fields/" + f.FieldID},
		{"saved view", "/v1/saved-views/" + f.ViewID},
		{"activity", "/v1/activities/" + f.ActivityID},
		{"pipeline", "/v1/pipelines/" + f.PipelineID},
		{"default pipeline", "/v1/pipelines/" + f.DefaultPipelineID},
		{"opportunity", "/v1/opportunities/" + f.OpportunityID},
		{"lead", "/v1/leads/" + f.LeadID},
		{"lead assignment rule", "/v1/lead-assignment-rules/" + f.LeadRuleID},
		{"lead scoring rule", "/v1/lead-scoring-rules/" + f.ScoringRuleID},
		{"product", "/v1/products/" + f.ProductID},
		{"price book", "/v1/price-books/" + f.PriceBookID},
		{"quote", "/v1/quotes/" + f.QuoteID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec struct {
				Version   int     `json:"version"`
				DeletedAt *string `json:"deletedAt"`
			}
			res := stack.Must(t, stack.Request{Method: "GET", URL: st.GatewayURL + tt.path, Token: s.tenant.Admin.Token}, http.StatusOK, &rec)
			if rec.Version != 1 || rec.DeletedAt != nil || strings.Contains(string(res.Body), "pwned") {
				t.Errorf("got %s, want version 1, not deleted, nothing pwned", res.Body)
			}
		})
	}
}
