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

// TestPipelineBadInput: each bad pipeline is a 400 problem naming every
// field at fault.
func TestPipelineBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, tt := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"no name", map[string]any{"name": " ", "stages": threeStages()}, []string{"name"}},
		{"no lost stage", map[string]any{"name": "P", "stages": []map[string]any{stage("Open", "open", 10), stage("Won", "won", 100)}}, []string{"stages"}},
		{"no stages", map[string]any{"name": "P", "stages": []map[string]any{}}, []string{"stages"}},
		{"open without probability", map[string]any{"name": "P", "stages": []map[string]any{{"name": "Open", "kind": "open"}, stage("Won", "won", 100), stage("Lost", "lost", 0)}},
			[]string{"stages/0/probability"}},
		{"probability over 100, won below", map[string]any{"name": "P", "stages": []map[string]any{stage("Open", "open", 150), stage("Won", "won", 90), stage("Lost", "lost", 0)}},
			[]string{"stages/0/probability", "stages/1/probability"}},
		{"unknown kind", map[string]any{"name": "P", "stages": []map[string]any{stage("Maybe", "maybe", 10), stage("Open", "open", 10), stage("Won", "won", 100), stage("Lost", "lost", 0)}},
			[]string{"stages/0/kind"}},
		{"unknown and repeated required fields", map[string]any{"name": "P", "stages": []map[string]any{stage("Open", "open", 10, "amount", "colour", "amount"), stage("Won", "won", 100), stage("Lost", "lost", 0)}},
			[]string{"stages/0/requiredFields/1", "stages/0/requiredFields/2"}},
		{"stage names alike", map[string]any{"name": "P", "stages": []map[string]any{stage("Open", "open", 10), stage("OPEN ", "open", 20), stage("Won", "won", 100), stage("Lost", "lost", 0)}},
			[]string{"stages/1/name"}},
		{"a stage id on create", map[string]any{"name": "P", "stages": []map[string]any{{"id": uuid.NewString(), "name": "Open", "kind": "open", "probability": 5}, stage("Won", "won", 100), stage("Lost", "lost", 0)}},
			[]string{"stages/0/id"}},
		{"read-only field", map[string]any{"name": "P", "isDefault": true, "stages": threeStages()}, []string{"isDefault"}},
		{"unknown field", map[string]any{"name": "P", "colour": "red", "stages": threeStages()}, []string{"colour"}},
		{"probability as text", map[string]any{"name": "P", "stages": []map[string]any{{"name": "Open", "kind": "open", "probability": "high"}, stage("Won", "won", 100), stage("Lost", "lost", 0)}},
			[]string{"stages/0/probability"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.want(e.do(u, "POST", "/v1/pipelines", tt.body), http.StatusBadRequest)
			if got := r.fields(); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v: %s", got, tt.fields, r.Raw)
			}
		})
	}

	p := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "POST", "/v1/pipelines", map[string]any{"name": "P", "stages": threeStages()}), http.StatusCreated))
	for _, tt := range []struct {
		name   string
		patch  any
		status int
		fields []string
	}{
		{"the won stage removed", map[string]any{"stages": []map[string]any{{"id": p.Stages[0].ID, "name": "Open", "kind": "open", "probability": 30}, {"id": p.Stages[2].ID, "name": "Lost", "kind": "lost"}}},
			http.StatusBadRequest, []string{"stages"}},
		{"a stage twice", map[string]any{"stages": []map[string]any{{"id": p.Stages[0].ID, "name": "Open", "kind": "open", "probability": 30}, {"id": p.Stages[0].ID, "name": "Again", "kind": "open", "probability": 30},
			stage("Won", "won", 100), stage("Lost", "lost", 0)}}, http.StatusBadRequest, []string{"stages/1/id"}},
		{"an unknown stage id", map[string]any{"stages": []map[string]any{{"id": uuid.NewString(), "name": "Open", "kind": "open", "probability": 30}, stage("Won", "won", 100), stage("Lost", "lost", 0)}},
			http.StatusBadRequest, []string{"stages/0/id"}},
		{"version", map[string]any{"version": 9}, http.StatusBadRequest, []string{"version"}},
		{"the name removed", map[string]any{"name": nil}, http.StatusBadRequest, []string{"name"}},
		{"not an object", []int{1}, http.StatusBadRequest, nil},
	} {
		t.Run("patch "+tt.name, func(t *testing.T) {
			r := e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, tt.patch, "If-Match", kitx.ETag(1)), tt.status)
			if got := r.fields(); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v: %s", got, tt.fields, r.Raw)
			}
		})
	}
	if got := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "GET", "/v1/pipelines/"+p.ID, nil), http.StatusOK)); got.Version != 1 {
		t.Errorf("the pipeline is at version %d after refused patches, want 1", got.Version)
	}
}

// TestOpportunityBadInput: each bad opportunity or list query is a 400
// problem naming every field at fault.
func TestOpportunityBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for _, tt := range []struct {
		name   string
		body   any
		fields []string
	}{
		{"no name", map[string]any{"name": " "}, []string{"name"}},
		{"unknown currency", map[string]any{"name": "O", "amount": map[string]any{"minor": 1, "currency": "EUX"}}, []string{"amount/currency"}},
		{"lower-case currency", map[string]any{"name": "O", "amount": map[string]any{"minor": 1, "currency": "eur"}}, []string{"amount/currency"}},
		{"an X code", map[string]any{"name": "O", "amount": map[string]any{"minor": 1, "currency": "XAU"}}, []string{"amount/currency"}},
		{"wrong exponent, negative amount", map[string]any{"name": "O", "amount": map[string]any{"minor": -5, "currency": "JPY", "exponent": 2}},
			[]string{"amount/minor", "amount/exponent"}},
		{"fractional amount", map[string]any{"name": "O", "amount": map[string]any{"minor": 1.5, "currency": "EUR"}}, []string{"amount/minor"}},
		{"bad ids and date", map[string]any{"name": "O", "accountId": "acme", "primaryContactId": "x", "closeDate": "2027-02-30"},
			[]string{"accountId", "primaryContactId", "closeDate"}},
		{"contact roles", map[string]any{"name": "O", "contactRoles": []map[string]any{{"contactId": "c1", "role": "Buyer"}, {"contactId": "01a24bf2-d4b6-79e2-ae02-3b00a06af6a7", "role": " "}}},
			[]string{"contactRoles/0/contactId", "contactRoles/1/role"}},
		{"competitors twice", map[string]any{"name": "O", "competitors": []string{"Initech", "initech "}}, []string{"competitors/1"}},
		{"probability", map[string]any{"name": "O", "probability": 101}, []string{"probability"}},
		{"unknown pipeline", map[string]any{"name": "O", "pipelineId": uuid.NewString()}, []string{"pipelineId"}},
		{"unknown stage", map[string]any{"name": "O", "stageId": uuid.NewString()}, []string{"stageId"}},
		{"read-only", map[string]any{"name": "O", "status": "won", "version": 3}, []string{"status", "version"}},
		{"unknown field", map[string]any{"name": "O", "colour": "red"}, []string{"colour"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.want(e.do(u, "POST", "/v1/opportunities", tt.body), http.StatusBadRequest)
			if got := r.fields(); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v: %s", got, tt.fields, r.Raw)
			}
		})
	}
	for _, tt := range []struct{ query, field string }{
		{"status=closed", "status"}, {"pipelineId=x", "pipelineId"}, {"closeDateFrom=tomorrow", "closeDateFrom"}, {"limit=0", "limit"},
		{"deleted=maybe", "deleted"}, {"cursor=forged", "cursor"},
	} {
		t.Run("list "+tt.query, func(t *testing.T) {
			r := e.want(e.do(u, "GET", "/v1/opportunities?"+tt.query, nil), http.StatusBadRequest)
			if got := r.fields(); !slices.Equal(got, []string{tt.field}) {
				t.Errorf("fields %v, want %s: %s", got, tt.field, r.Raw)
			}
		})
	}
	o := createOpportunity(e, u, map[string]any{"name": "O"})
	r := e.want(e.do(u, "PATCH", "/v1/opportunities/"+o.ID, map[string]any{"name": nil, "closedAt": "2027-01-01T00:00:00Z"}, "If-Match", kitx.ETag(1)), http.StatusBadRequest)
	if got := r.fields(); !slices.Equal(got, []string{"closedAt"}) {
		t.Errorf("patch of a read-only field names %v", got)
	}
	r = e.want(e.do(u, "PATCH", "/v1/opportunities/"+o.ID, map[string]any{"name": nil}, "If-Match", kitx.ETag(1)), http.StatusBadRequest)
	if got := r.fields(); !slices.Equal(got, []string{"name"}) {
		t.Errorf("removing the name names %v", got)
	}
	// An amount is patched whole: a currency alone would re-read the old
	// minor units in another currency.
	priced := createOpportunity(e, u, map[string]any{"name": "P", "amount": map[string]any{"minor": 100000, "currency": "USD"}})
	for body, field := range map[string]string{`{"currency":"JPY"}`: "amount/minor", `{"minor":5}`: "amount/currency"} {
		r = e.want(e.do(u, "PATCH", "/v1/opportunities/"+priced.ID, map[string]any{"amount": json.RawMessage(body)}, "If-Match", kitx.ETag(1)), http.StatusBadRequest)
		if got := r.fields(); !slices.Equal(got, []string{field}) {
			t.Errorf("patching amount %s names %v, want %s", body, got, field)
		}
	}
	e.want(e.do(u, "PATCH", "/v1/opportunities/"+priced.ID, map[string]any{"amount": map[string]any{"minor": 5, "currency": "JPY"}}, "If-Match", kitx.ETag(1)), http.StatusOK)
	e.want(e.do(u, "GET", "/v1/opportunities/not-a-uuid", nil), http.StatusNotFound)
}
