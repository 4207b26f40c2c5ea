package sales_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

func TestForecastCategoryFollowsTheStage(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	def := defaultPipeline(e, u)
	o := createOpportunity(e, u, map[string]any{"name": "Acme"})
	if o.ForecastCategory != deals.CategoryPipeline {
		t.Fatalf("created in %q, want pipeline", o.ForecastCategory)
	}
	chosen := createOpportunity(e, u, map[string]any{"name": "Initech", "forecastCategory": "bestCase"})
	if chosen.ForecastCategory != deals.CategoryBestCase {
		t.Errorf("created with bestCase: %q", chosen.ForecastCategory)
	}
	e.want(e.do(u, "POST", "/v1/opportunities", map[string]any{"name": "x", "forecastCategory": "closed"}), http.StatusBadRequest)

	// The owner commits it; it stays committed through open stages.
	o = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, o.ID, 1, map[string]any{"forecastCategory": "commit"}, http.StatusOK))
	o = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, o.ID, 2, map[string]any{"stageId": def.Stages[1].ID}, http.StatusOK))
	if o.ForecastCategory != deals.CategoryCommit {
		t.Errorf("moved between open stages: %q, want commit", o.ForecastCategory)
	}
	if got := patchOpportunity(e, u, o.ID, 3, map[string]any{"forecastCategory": "omitted"}, http.StatusBadRequest).fields(); len(got) != 1 || got[0] != "forecastCategory" {
		t.Errorf("omitted on an open stage names %v", got)
	}
	// Lost: omitted, and no other; reopened: pipeline.
	lost := def.Stages[len(def.Stages)-1]
	o = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, o.ID, 3, map[string]any{"stageId": lost.ID, "lostReason": "price"}, http.StatusOK))
	if o.Status != "lost" || o.ForecastCategory != deals.CategoryOmitted {
		t.Errorf("lost: %s %q", o.Status, o.ForecastCategory)
	}
	patchOpportunity(e, u, o.ID, 4, map[string]any{"forecastCategory": "commit"}, http.StatusBadRequest)
	o = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, o.ID, 4, map[string]any{"stageId": def.Stages[0].ID}, http.StatusOK))
	if o.ForecastCategory != deals.CategoryPipeline {
		t.Errorf("reopened: %q, want pipeline", o.ForecastCategory)
	}
}
