package sales_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// TestBoardTotalsFollowWrites: after creates, moves, changes of owner,
// team and amount, deletes and restores, the board's kept counts and
// totals (board_totals) are what counting the opportunities gives.
func TestBoardTotalsFollowWrites(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	def := defaultPipeline(e, u)
	other := u.scoped("all")
	a := createOpportunity(e, u, map[string]any{"name": "A", "amount": map[string]any{"minor": 100, "currency": "EUR"}})
	b := createOpportunity(e, u, map[string]any{"name": "B", "teamId": "emea"})
	c := createOpportunity(e, other, map[string]any{"name": "C", "amount": map[string]any{"minor": 7, "currency": "USD"}, "stageId": def.Stages[1].ID})
	patchOpportunity(e, u, a.ID, 1, map[string]any{"stageId": def.Stages[1].ID, "amount": map[string]any{"minor": 150, "currency": "EUR"}}, http.StatusOK)
	patchOpportunity(e, u, a.ID, 2, map[string]any{"amount": map[string]any{"minor": 150, "currency": "GBP"}, "ownerId": other.id}, http.StatusOK)
	patchOpportunity(e, u, b.ID, 1, map[string]any{"teamId": "apac", "amount": map[string]any{"minor": 5, "currency": "EUR"}}, http.StatusOK)
	e.want(e.do(u, "DELETE", "/v1/opportunities/"+c.ID, nil), http.StatusNoContent)
	d := createOpportunity(e, u, map[string]any{"name": "D", "amount": map[string]any{"minor": 9, "currency": "EUR"}})
	e.want(e.do(u, "DELETE", "/v1/opportunities/"+d.ID, nil, "If-Match", kitx.ETag(1)), http.StatusNoContent)
	e.want(e.do(u, "POST", "/v1/opportunities/"+d.ID+"/restore", nil), http.StatusOK)
	patchOpportunity(e, u, b.ID, 2, map[string]any{"amount": nil}, http.StatusOK)

	rows := func(q string) []string {
		var out []string
		if err := e.admin.Select(&out, q, u.tenant); err != nil {
			t.Fatal(err)
		}
		return out
	}
	counted := rows(`SELECT concat_ws('/', pipeline_id, stage_id, owner_id, team_id, coalesce(currency, ''), count(*), coalesce(sum(amount_minor), 0))
		FROM opportunities WHERE tenant_id = $1 AND deleted_at IS NULL GROUP BY pipeline_id, stage_id, owner_id, team_id, currency ORDER BY 1`)
	kept := rows(`SELECT concat_ws('/', pipeline_id, stage_id, owner_id, team_id, currency, n, total) FROM board_totals WHERE tenant_id = $1 AND n <> 0 ORDER BY 1`)
	if !slices.Equal(counted, kept) || len(counted) != 3 {
		t.Errorf("board_totals\n%v\nwant what counting gives\n%v", kept, counted)
	}
	var stray int
	if err := e.admin.Get(&stray, "SELECT count(*) FROM board_totals WHERE tenant_id = $1 AND n = 0 AND total <> 0", u.tenant); err != nil || stray != 0 {
		t.Errorf("%d rows of no opportunity with a total (%v)", stray, fmt.Sprint(err))
	}
}

// TestOpportunityFilters: a list selects by pipeline, stage, owner, team,
// status and close date.
func TestOpportunityFilters(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	def := defaultPipeline(e, u)
	other := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "POST", "/v1/pipelines", map[string]any{"name": "Renewals", "stages": threeStages()}), http.StatusCreated))
	bob := u.scoped("all")
	march := createOpportunity(e, u, map[string]any{"name": "March", "closeDate": "2027-03-15", "teamId": "emea"})
	april := createOpportunity(e, bob, map[string]any{"name": "April", "closeDate": "2027-04-02", "stageId": def.Stages[1].ID})
	won := createOpportunity(e, u, map[string]any{"name": "Won", "pipelineId": other.ID, "stageId": other.Stages[1].ID, "amount": map[string]any{"minor": 1, "currency": "EUR"}})
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"", []string{won.ID, april.ID, march.ID}},
		{"pipelineId=" + def.ID, []string{april.ID, march.ID}},
		{"stageId=" + def.Stages[1].ID, []string{april.ID}},
		{"ownerId=" + bob.id, []string{april.ID}},
		{"teamId=emea", []string{march.ID}},
		{"status=won", []string{won.ID}},
		{"status=open&closeDateFrom=2027-03-15", []string{april.ID, march.ID}},
		{"closeDateFrom=2027-03-16&closeDateTo=2027-04-02", []string{april.ID}},
		{"closeDateTo=2027-03-14", nil},
	} {
		got := opportunityIDs(contracttest.Decode[opportunityPage](e.want(e.do(u, "GET", "/v1/opportunities?"+tt.query, nil), http.StatusOK)).Items)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q lists %v, want %v", tt.query, got, tt.want)
		}
	}
}
