package sales_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// opportunityPage is the body of GET /v1/opportunities.
type opportunityPage struct {
	Items      []deals.Opportunity `json:"items"`
	NextCursor string              `json:"nextCursor"`
}

// historyList is the body of GET /v1/opportunities/{id}/stage-history.
type historyList struct {
	Items []deals.StageVisit `json:"items"`
}

// defaultPipeline returns u's tenant's default pipeline.
func defaultPipeline(e *env, u user) deals.Pipeline {
	e.t.Helper()
	return contracttest.Decode[pipelineList](e.want(e.do(u, "GET", "/v1/pipelines", nil), http.StatusOK)).Items[0]
}

// createOpportunity creates an opportunity as u and returns it.
func createOpportunity(e *env, u user, body map[string]any) deals.Opportunity {
	e.t.Helper()
	return contracttest.Decode[deals.Opportunity](e.want(e.do(u, "POST", "/v1/opportunities", body), http.StatusCreated))
}

// patchOpportunity patches o as u at version, wanting status.
func patchOpportunity(e *env, u user, id string, version int64, patch map[string]any, status int) reply {
	e.t.Helper()
	return e.want(e.do(u, "PATCH", "/v1/opportunities/"+id, patch, "If-Match", kitx.ETag(version)), status)
}

// eventTypes returns the types of the events published about subject, in
// order.
func eventTypes(e *env, subject string) []string {
	var out []string
	for _, ev := range e.published() {
		if ev.Subject == subject {
			out = append(out, ev.Type)
		}
	}
	return out
}

func TestOpportunityLifecycle(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	def := defaultPipeline(e, u)
	r := e.want(e.do(u, "POST", "/v1/opportunities", map[string]any{"name": " Acme renewal ", "amount": map[string]any{"minor": 1250000, "currency": "EUR"}}),
		http.StatusCreated)
	o := contracttest.Decode[deals.Opportunity](r)
	if o.Name != "Acme renewal" || o.PipelineID != def.ID || o.StageID != def.Stages[0].ID || o.Status != "open" || *o.Probability != 5 ||
		o.OwnerID != u.id || o.Version != 1 || o.Amount.Exponent == nil || *o.Amount.Exponent != 2 || r.Header.Get("Location") != "/v1/opportunities/"+o.ID {
		t.Fatalf("created %+v", o)
	}
	if got := contracttest.Decode[deals.Opportunity](e.want(e.do(u, "GET", "/v1/opportunities/"+o.ID, nil), http.StatusOK)); got.ID != o.ID || got.Amount.Minor != 1250000 {
		t.Errorf("read back %+v", got)
	}

	// A PATCH needs If-Match, and the current one.
	e.want(e.do(u, "PATCH", "/v1/opportunities/"+o.ID, map[string]any{"nextStep": "Call"}), http.StatusPreconditionRequired)
	patchOpportunity(e, u, o.ID, 9, map[string]any{"nextStep": "Call"}, http.StatusPreconditionFailed)
	r = patchOpportunity(e, u, o.ID, 1, map[string]any{"nextStep": "Call", "competitors": []string{"Initech"}}, http.StatusOK)
	if got := contracttest.Decode[deals.Opportunity](r); got.NextStep != "Call" || got.Version != 2 ||
		!slices.Equal(kitx.ChangedFields(r.Header), []string{"competitors", "nextStep"}) {
		t.Errorf("patched %+v, changed %v", got, kitx.ChangedFields(r.Header))
	}

	// Quote needs accountId, amount and closeDate: the 422 names the missing.
	quote, won := def.Stages[4], def.Stages[6]
	r = patchOpportunity(e, u, o.ID, 2, map[string]any{"stageId": quote.ID, "amount": nil}, http.StatusUnprocessableEntity)
	if got := r.fields(); !slices.Equal(got, []string{"amount", "closeDate", "accountId"}) {
		t.Errorf("a move to Quote without fields names %v", got)
	}
	account := uuid.NewString()
	r = patchOpportunity(e, u, o.ID, 2, map[string]any{"stageId": quote.ID, "accountId": account, "closeDate": "2027-03-31"}, http.StatusOK)
	moved := contracttest.Decode[deals.Opportunity](r)
	if moved.StageID != quote.ID || *moved.Probability != 60 || moved.Status != "open" || moved.ClosedAt != nil || moved.Version != 3 {
		t.Errorf("moved to Quote: %+v", moved)
	}
	// A move keeps a probability the patch sets; entering Won closes it.
	moved = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, o.ID, 3, map[string]any{"stageId": won.ID, "probability": 95}, http.StatusOK))
	if moved.Status != "won" || moved.ClosedAt == nil || *moved.Probability != 95 {
		t.Errorf("moved to Won: %+v", moved)
	}
	history := contracttest.Decode[historyList](e.want(e.do(u, "GET", "/v1/opportunities/"+o.ID+"/stage-history", nil), http.StatusOK)).Items
	if len(history) != 3 || history[0].StageID != def.Stages[0].ID || history[1].StageName != "Quote" || history[2].StageID != won.ID ||
		history[0].LeftAt == nil || history[2].LeftAt != nil || history[2].EnteredBy != u.id || history[0].SecondsInStage < 0 {
		t.Errorf("stage history %+v", history)
	}

	// Delete and restore.
	e.want(e.do(u, "DELETE", "/v1/opportunities/"+o.ID, nil, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)
	e.want(e.do(u, "DELETE", "/v1/opportunities/"+o.ID, nil, "If-Match", kitx.ETag(4)), http.StatusNoContent)
	if got := contracttest.Decode[deals.Opportunity](e.want(e.do(u, "GET", "/v1/opportunities/"+o.ID, nil), http.StatusOK)); got.DeletedAt == nil {
		t.Errorf("a deleted opportunity reads %+v, want deletedAt", got)
	}
	if live := contracttest.Decode[opportunityPage](e.want(e.do(u, "GET", "/v1/opportunities", nil), http.StatusOK)).Items; len(live) != 0 {
		t.Errorf("live list after the delete: %d", len(live))
	}
	if deleted := contracttest.Decode[opportunityPage](e.want(e.do(u, "GET", "/v1/opportunities?deleted=true", nil), http.StatusOK)).Items; len(deleted) != 1 {
		t.Errorf("deleted list: %d, want 1", len(deleted))
	}
	patchOpportunity(e, u, o.ID, 5, map[string]any{"nextStep": "x"}, http.StatusNotFound)
	e.want(e.do(u, "DELETE", "/v1/opportunities/"+o.ID, nil), http.StatusNotFound)
	restored := contracttest.Decode[deals.Opportunity](e.want(e.do(u, "POST", "/v1/opportunities/"+o.ID+"/restore", nil), http.StatusOK))
	if restored.DeletedAt != nil || restored.Version != 6 {
		t.Errorf("restored %+v", restored)
	}
	e.want(e.do(u, "POST", "/v1/opportunities/"+o.ID+"/restore", nil), http.StatusConflict)

	want := []string{"created", "updated", "updated", "stage_changed", "updated", "stage_changed", "won", "deleted", "restored"}
	for i := range want {
		want[i] = "dev.rapport.sales.opportunity." + want[i] + ".v1"
	}
	if got := eventTypes(e, o.ID); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	for _, ev := range e.published() {
		if ev.Type == "dev.rapport.sales.opportunity.stage_changed.v1" && ev.Subject == o.ID {
			var move deals.StageMove
			if err := json.Unmarshal(ev.Data, &move); err != nil {
				t.Fatal(err)
			}
			if move.From.Name == "" || move.To.Name == "" || move.From.StageID == move.To.StageID || move.MovedBy != u.id {
				t.Errorf("stage_changed %+v", move)
			}
		}
	}
	validateEvents(t, e)
}

// TestOpportunityMoves: lost needs a reason, a move to another pipeline
// names a stage of it, and leaving a closed stage reopens.
func TestOpportunityMoves(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	def := defaultPipeline(e, u)
	lost := def.Stages[8]
	o := createOpportunity(e, u, map[string]any{"name": "Globex"})
	r := patchOpportunity(e, u, o.ID, 1, map[string]any{"stageId": lost.ID}, http.StatusUnprocessableEntity)
	if !slices.Equal(r.fields(), []string{"lostReason"}) {
		t.Errorf("lost without a reason names %v", r.fields())
	}
	o = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, o.ID, 1, map[string]any{"stageId": lost.ID, "lostReason": "Price"}, http.StatusOK))
	if o.Status != "lost" || o.ClosedAt == nil || *o.Probability != 0 {
		t.Errorf("lost: %+v", o)
	}

	other := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "POST", "/v1/pipelines", map[string]any{"name": "Renewals", "stages": threeStages()}), http.StatusCreated))
	r = patchOpportunity(e, u, o.ID, 2, map[string]any{"pipelineId": other.ID}, http.StatusBadRequest)
	if !slices.Equal(r.fields(), []string{"stageId"}) {
		t.Errorf("a pipeline change keeping the stage names %v", r.fields())
	}
	patchOpportunity(e, u, o.ID, 2, map[string]any{"stageId": other.Stages[0].ID}, http.StatusBadRequest)
	o = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, o.ID, 2, map[string]any{"pipelineId": other.ID, "stageId": other.Stages[0].ID}, http.StatusOK))
	if o.PipelineID != other.ID || o.Status != "open" || o.ClosedAt != nil || *o.Probability != 30 {
		t.Errorf("moved to another pipeline: %+v", o)
	}
	// Created straight into a stage of another pipeline, with its
	// requirements.
	r = e.want(e.do(u, "POST", "/v1/opportunities", map[string]any{"name": "Hooli", "pipelineId": other.ID, "stageId": other.Stages[1].ID}), http.StatusUnprocessableEntity)
	if !slices.Equal(r.fields(), []string{"amount"}) {
		t.Errorf("created in Won without an amount names %v", r.fields())
	}
	h := createOpportunity(e, u, map[string]any{"name": "Hooli", "pipelineId": other.ID, "stageId": other.Stages[1].ID, "probability": 100,
		"amount": map[string]any{"minor": 500, "currency": "JPY", "exponent": 0}})
	if h.Status != "won" || h.ClosedAt == nil || *h.Amount.Exponent != 0 {
		t.Errorf("created won: %+v", h)
	}
	// A probability removed is the stage's again; the pipeline and the
	// stage cannot be removed.
	h = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, h.ID, 1, map[string]any{"probability": 40}, http.StatusOK))
	h = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, h.ID, 2, map[string]any{"probability": nil}, http.StatusOK))
	if *h.Probability != 100 || h.Version != 3 {
		t.Errorf("probability removed: %d (version %d), want the stage's 100", *h.Probability, h.Version)
	}
	if r := patchOpportunity(e, u, h.ID, 3, map[string]any{"pipelineId": nil, "stageId": nil}, http.StatusBadRequest); !slices.Equal(r.fields(), []string{"pipelineId", "stageId"}) {
		t.Errorf("removing the pipeline and stage names %v", r.fields())
	}
	// A change of currency takes the new currency's exponent.
	h = contracttest.Decode[deals.Opportunity](patchOpportunity(e, u, h.ID, 3, map[string]any{"amount": map[string]any{"minor": 500, "currency": "KWD"}}, http.StatusOK))
	if h.Amount.Currency != "KWD" || *h.Amount.Exponent != 3 || h.Amount.Minor != 500 {
		t.Errorf("amount in KWD: %+v", h.Amount)
	}
	validateEvents(t, e)
}
