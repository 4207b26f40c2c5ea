package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
)

// TestSupportChecksOpportunityLinks: a case's links to opportunities are
// checked in the real sales service with the agent's own authority, when
// the case is created and when a patch adds one: the tenant's opportunity
// is accepted; a made-up id or another tenant's opportunity is a 400
// naming the link; a support manager, whom sales refuses sales:read, gets
// a 403; the links a case already has are not asked again.
func TestSupportChecksOpportunityLinks(t *testing.T) {
	st := stack.Start(t, bins)
	tn, other := st.CreateTenant(t, "e2e-links-"+letters(6)), st.CreateTenant(t, "e2e-links-"+letters(6))
	manager := st.Invite(t, tn, "manager@"+tn.Slug+".test", []string{"support_manager"}) // all of support, nothing of sales
	call := func(token, method, path string, body any, want int, out any, headers ...string) {
		t.Helper()
		h := map[string]string{}
		for i := 0; i+1 < len(headers); i += 2 {
			h[headers[i]] = headers[i+1]
		}
		stack.Must(t, stack.Request{Method: method, URL: st.GatewayURL + path, Token: token, Body: body, Header: h}, want, out)
	}
	opportunity := func(token string) string {
		var o struct{ ID string }
		call(token, http.MethodPost, "/v1/opportunities", map[string]any{"name": "Renewal " + letters(6)}, http.StatusCreated, &o)
		return o.ID
	}
	ours, theirs := opportunity(tn.Admin.Token), opportunity(other.Admin.Token)
	link := func(id string) map[string]string { return map[string]string{"type": "opportunity", "id": id} }
	wantFields := func(p problem, fields ...string) {
		t.Helper()
		if p.Type == "" || !slices.Equal(p.fields(), fields) {
			t.Errorf("the problem %+v names %v, want %v", p, p.fields(), fields)
		}
	}

	var kase struct {
		ID      string
		Version int64
	}
	call(tn.Admin.Token, http.MethodPost, "/v1/cases", map[string]any{"subject": "Renewal question", "links": []any{link(ours)}},
		http.StatusCreated, &kase)
	var p problem
	call(tn.Admin.Token, http.MethodPost, "/v1/cases", map[string]any{"subject": "Made up", "links": []any{
		map[string]string{"type": "contract", "id": ids.New()}, link(ids.New()), link(theirs)}}, http.StatusBadRequest, &p)
	wantFields(p, "links/1/id", "links/2/id")

	p = problem{}
	call(tn.Admin.Token, http.MethodPatch, "/v1/cases/"+kase.ID, map[string]any{"links": []any{link(ours), link(ids.New())}},
		http.StatusBadRequest, &p, "If-Match", fmt.Sprintf(`"%d"`, kase.Version))
	wantFields(p, "links/1/id")
	second := opportunity(tn.Admin.Token)
	call(tn.Admin.Token, http.MethodPatch, "/v1/cases/"+kase.ID, map[string]any{"links": []any{link(ours), link(second)}},
		http.StatusOK, &kase, "If-Match", fmt.Sprintf(`"%d"`, kase.Version))

	p = problem{}
	call(manager.Token, http.MethodPost, "/v1/cases", map[string]any{"subject": "By the manager", "links": []any{link(ours)}},
		http.StatusForbidden, &p)
	if !strings.HasSuffix(p.Type, "sales-forbidden") {
		t.Errorf("the manager without sales:read: %+v, want sales-forbidden", p)
	}
	// The manager changes the case without adding a link: sales is not
	// asked about the links it has.
	call(manager.Token, http.MethodPatch, "/v1/cases/"+kase.ID, map[string]any{"priority": "high"}, http.StatusOK, nil,
		"If-Match", fmt.Sprintf(`"%d"`, kase.Version))
}
