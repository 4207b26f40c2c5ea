package sales_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/sales/leads"
)

// preview asks, as u, what the assignment rules would make of body.
func preview(e *env, u user, body map[string]any) leads.AssignmentPreview {
	e.t.Helper()
	return contracttest.Decode[leads.AssignmentPreview](e.want(e.do(u, "POST", "/v1/lead-assignment-rules/preview", body), http.StatusOK))
}

func TestLeadAssignmentPreview(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())

	// No rule yet: the lead would stay the caller's.
	none := preview(e, admin, map[string]any{"lastName": "Wu", "source": "web"})
	if none.RuleID != "" || none.OwnerID != admin.id || !strings.Contains(none.Reason, "kept by "+admin.id) {
		t.Fatalf("without rules %+v", none)
	}

	web := createRule(e, admin, map[string]any{"name": "Web", "condition": map[string]any{"field": "source", "op": "eq", "value": "web"},
		"target": map[string]any{"type": "user", "userId": "u-web"}})
	members := people("rr", 2)
	rest := createRule(e, admin, map[string]any{"name": "Everyone else", "target": team("roundRobin", members)})

	// The first matching rule wins, by position.
	got := preview(e, admin, map[string]any{"lastName": "Wu", "source": "web"})
	if got.RuleID != web.ID || got.RuleName != "Web" || got.Position == nil || *got.Position != 0 || got.OwnerID != "u-web" {
		t.Fatalf("web lead %+v", got)
	}
	// A lead the first rule does not match falls to the team; asking again
	// gives the same member, as a preview takes no turn.
	first := preview(e, admin, map[string]any{"lastName": "Li", "source": "fair"})
	again := preview(e, admin, map[string]any{"lastName": "Li", "source": "fair"})
	if first.RuleID != rest.ID || *first.Position != 1 || first.OwnerID != members[0] || first.TeamID != "team-roundRobin" || again.OwnerID != first.OwnerID {
		t.Fatalf("fair lead %+v, then %+v", first, again)
	}

	// Reordered, the catch-all comes first and takes the web lead too.
	e.want(e.do(admin, "PUT", "/v1/lead-assignment-rules/order", map[string]any{"ids": []string{rest.ID, web.ID}}), http.StatusOK)
	if got := preview(e, admin, map[string]any{"lastName": "Wu", "source": "web"}); got.RuleID != rest.ID || *got.Position != 0 {
		t.Fatalf("after reorder %+v", got)
	}

	// Nothing was kept: no lead, no event.
	list := contracttest.Decode[struct{ Items []leads.Lead }](e.want(e.do(admin, "GET", "/v1/leads", nil), http.StatusOK)).Items
	if len(list) != 0 {
		t.Fatalf("preview left %d leads", len(list))
	}
	for _, ev := range e.published() {
		if ev.TenantID == admin.tenant && strings.Contains(ev.Type, ".lead.") {
			t.Fatalf("preview published %s", ev.Type)
		}
	}

	// A body a create refuses is refused with the same fields; a writer
	// without sales:admin may not configure the rules.
	bad := e.want(e.do(admin, "POST", "/v1/lead-assignment-rules/preview", map[string]any{"lastName": "Wu", "email": "not an email"}), http.StatusBadRequest)
	if !slices.Contains(bad.fields(), "email") {
		t.Fatalf("bad email named %v", bad.fields())
	}
	e.want(e.do(admin.as("sales:read", "sales:write"), "POST", "/v1/lead-assignment-rules/preview", map[string]any{"lastName": "Wu"}), http.StatusForbidden)
}
