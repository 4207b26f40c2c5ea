package sales_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// opportunityIDs returns the ids of list.
func opportunityIDs(list []deals.Opportunity) []string {
	var out []string
	for _, o := range list {
		out = append(out, o.ID)
	}
	return out
}

// TestOpportunityScope: a caller sees its own opportunities (scope own),
// its teams' too (team) or all; one out of scope is not found to every
// operation; the permissions are sales:read and sales:write; another
// tenant sees nothing.
func TestOpportunityScope(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	alice, bob := admin.scoped(auth.ScopeOwn), admin.scoped(auth.ScopeOwn)
	lead := admin.scoped(auth.ScopeTeam, "emea")
	a := createOpportunity(e, alice, map[string]any{"name": "Alice's", "teamId": "emea"})
	b := createOpportunity(e, bob, map[string]any{"name": "Bob's"})
	if a.OwnerID != alice.id {
		t.Fatalf("owner %s, want the caller %s", a.OwnerID, alice.id)
	}
	for _, tt := range []struct {
		who  string
		u    user
		sees []string
	}{
		{"own", alice, []string{a.ID}}, {"other own", bob, []string{b.ID}}, {"team", lead, []string{a.ID}}, {"all", admin, []string{b.ID, a.ID}},
	} {
		got := opportunityIDs(contracttest.Decode[opportunityPage](e.want(e.do(tt.u, "GET", "/v1/opportunities", nil), http.StatusOK)).Items)
		if !slices.Equal(got, tt.sees) {
			t.Errorf("%s lists %v, want %v", tt.who, got, tt.sees)
		}
	}
	for _, path := range []string{"/v1/opportunities/" + a.ID, "/v1/opportunities/" + a.ID + "/stage-history"} {
		e.want(e.do(bob, "GET", path, nil), http.StatusNotFound)
		e.want(e.do(lead, "GET", path, nil), http.StatusOK)
	}
	patchOpportunity(e, bob, a.ID, 1, map[string]any{"name": "pwned"}, http.StatusNotFound)
	e.want(e.do(bob, "DELETE", "/v1/opportunities/"+a.ID, nil), http.StatusNotFound)
	e.want(e.do(bob, "POST", "/v1/opportunities/"+a.ID+"/restore", nil), http.StatusNotFound)
	patchOpportunity(e, lead, a.ID, 1, map[string]any{"nextStep": "Demo"}, http.StatusOK)

	// The board counts what the caller may see.
	def := defaultPipeline(e, admin)
	for _, tt := range []struct {
		u    user
		want int
	}{{alice, 1}, {bob, 1}, {lead, 1}, {admin, 2}} {
		board := contracttest.Decode[deals.Board](e.want(e.do(tt.u, "GET", "/v1/pipelines/"+def.ID+"/board", nil), http.StatusOK))
		if board.Columns[0].Count != tt.want || len(board.Columns[0].Opportunities) != tt.want {
			t.Errorf("board of %s: %d in the first stage, want %d", tt.u.id, board.Columns[0].Count, tt.want)
		}
	}

	// Permissions.
	reader := admin.as("sales:read")
	e.want(e.do(reader, "GET", "/v1/opportunities/"+a.ID, nil), http.StatusOK)
	e.want(e.do(reader, "POST", "/v1/opportunities", map[string]any{"name": "X"}), http.StatusForbidden)
	patchOpportunity(e, reader, a.ID, 2, map[string]any{"name": "X"}, http.StatusForbidden)
	e.want(e.do(reader, "DELETE", "/v1/opportunities/"+a.ID, nil), http.StatusForbidden)
	e.want(e.do(admin.as("contacts:*"), "GET", "/v1/opportunities", nil), http.StatusForbidden)

	// Another tenant.
	other := newUser(uuid.NewString())
	e.want(e.do(other, "GET", "/v1/opportunities/"+a.ID, nil), http.StatusNotFound)
	patchOpportunity(e, other, a.ID, 2, map[string]any{"name": "pwned"}, http.StatusNotFound)
	e.want(e.do(other, "DELETE", "/v1/opportunities/"+a.ID, nil), http.StatusNotFound)
	e.want(e.do(other, "GET", "/v1/pipelines/"+def.ID+"/board", nil), http.StatusNotFound)
	if got := contracttest.Decode[opportunityPage](e.want(e.do(other, "GET", "/v1/opportunities", nil), http.StatusOK)).Items; len(got) != 0 {
		t.Errorf("another tenant lists %v", opportunityIDs(got))
	}
	e.want(e.do(other, "POST", "/v1/opportunities", map[string]any{"name": "X", "pipelineId": def.ID}), http.StatusBadRequest)
}

// TestOpportunityConcurrentPatches sends moves of one opportunity at one
// version at once: one wins, the others are 412, one history entry and one
// stage_changed per winning move.
func TestOpportunityConcurrentPatches(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	def := defaultPipeline(e, u)
	o := createOpportunity(e, u, map[string]any{"name": "Race"})
	const n = 8
	statuses := make(chan int, n)
	start := make(chan struct{})
	for i := range n {
		go func() {
			<-start
			req, _ := http.NewRequest("PATCH", e.base+"/v1/opportunities/"+o.ID, jsonBody(map[string]any{"stageId": def.Stages[1].ID, "nextStep": "step " + string(rune('A'+i))}))
			req.Header.Set("Content-Type", "application/merge-patch+json")
			req.Header.Set("If-Match", kitx.ETag(1))
			e.authorize(req, u)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	close(start)
	counts := map[int]int{}
	for range n {
		counts[<-statuses]++
	}
	if counts[http.StatusOK] != 1 || counts[http.StatusPreconditionFailed] != n-1 {
		t.Errorf("statuses %v, want one 200 and %d 412", counts, n-1)
	}
	if got := contracttest.Decode[deals.Opportunity](e.want(e.do(u, "GET", "/v1/opportunities/"+o.ID, nil), http.StatusOK)); got.Version != 2 {
		t.Errorf("version %d after the race, want 2", got.Version)
	}
	if h := contracttest.Decode[historyList](e.want(e.do(u, "GET", "/v1/opportunities/"+o.ID+"/stage-history", nil), http.StatusOK)).Items; len(h) != 2 {
		t.Errorf("%d history entries, want 2", len(h))
	}
}

// TestBoard: counts, totals per currency and the newest opportunities of
// each stage, filtered by owner and team.
func TestBoard(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	def := defaultPipeline(e, u)
	eur := func(minor int64) map[string]any { return map[string]any{"minor": minor, "currency": "EUR"} }
	var first []string
	for i, body := range []map[string]any{
		{"name": "A", "amount": eur(100)}, {"name": "B", "amount": eur(250), "teamId": "apac"},
		{"name": "C", "amount": map[string]any{"minor": 9000, "currency": "JPY"}}, {"name": "D"},
		{"name": "E", "stageId": def.Stages[1].ID, "amount": eur(1)},
	} {
		o := createOpportunity(e, u, body)
		if i < 4 {
			first = append([]string{o.ID}, first...)
		}
	}
	deleted := createOpportunity(e, u, map[string]any{"name": "F", "amount": eur(7)})
	e.want(e.do(u, "DELETE", "/v1/opportunities/"+deleted.ID, nil), http.StatusNoContent)

	board := contracttest.Decode[deals.Board](e.want(e.do(u, "GET", "/v1/pipelines/"+def.ID+"/board?limit=3", nil), http.StatusOK))
	if len(board.Columns) != len(def.Stages) || board.Columns[0].Stage.ID != def.Stages[0].ID {
		t.Fatalf("board columns %+v", board.Columns)
	}
	lead := board.Columns[0]
	if lead.Count != 4 || !slices.Equal(opportunityIDs(lead.Opportunities), first[:3]) {
		t.Errorf("first stage: count %d, newest %v, want 4 and %v", lead.Count, opportunityIDs(lead.Opportunities), first[:3])
	}
	totals := map[string]string{}
	for _, tot := range lead.Totals {
		totals[tot.Currency] = tot.Minor.String()
	}
	if len(totals) != 2 || totals["EUR"] != "350" || totals["JPY"] != "9000" {
		t.Errorf("first stage totals %+v", lead.Totals)
	}
	if c := board.Columns[1]; c.Count != 1 || len(c.Totals) != 1 || c.Totals[0].Minor.String() != "1" || board.Columns[2].Count != 0 {
		t.Errorf("second stage %+v, third %+v", c, board.Columns[2])
	}
	byTeam := contracttest.Decode[deals.Board](e.want(e.do(u, "GET", "/v1/pipelines/"+def.ID+"/board?teamId=apac", nil), http.StatusOK))
	if byTeam.Columns[0].Count != 1 || byTeam.Columns[0].Totals[0].Minor.String() != "250" {
		t.Errorf("board of team apac: %+v", byTeam.Columns[0])
	}
	byOwner := contracttest.Decode[deals.Board](e.want(e.do(u, "GET", "/v1/pipelines/"+def.ID+"/board?ownerId="+uuid.NewString(), nil), http.StatusOK))
	if byOwner.Columns[0].Count != 0 || len(byOwner.Columns[0].Opportunities) != 0 {
		t.Errorf("board of nobody: %+v", byOwner.Columns[0])
	}
	e.want(e.do(u, "GET", "/v1/pipelines/"+uuid.NewString()+"/board", nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/pipelines/"+def.ID+"/board?limit=101", nil), http.StatusBadRequest)

	// Lists page with a cursor and filter.
	page := contracttest.Decode[opportunityPage](e.want(e.do(u, "GET", "/v1/opportunities?limit=2&stageId="+def.Stages[0].ID, nil), http.StatusOK))
	next := contracttest.Decode[opportunityPage](e.want(e.do(u, "GET", "/v1/opportunities?limit=2&stageId="+def.Stages[0].ID+"&cursor="+page.NextCursor, nil), http.StatusOK))
	if got := append(opportunityIDs(page.Items), opportunityIDs(next.Items)...); !slices.Equal(got, first) || next.NextCursor != "" {
		t.Errorf("pages %v then %v (next %q), want %v", opportunityIDs(page.Items), opportunityIDs(next.Items), next.NextCursor, first)
	}

	// In close date order: the soonest first, those without one last.
	soon := createOpportunity(e, u, map[string]any{"name": "Soon", "closeDate": "2027-01-10"})
	later := createOpportunity(e, u, map[string]any{"name": "Later", "closeDate": "2027-06-30"})
	byClose := contracttest.Decode[deals.Board](e.want(e.do(u, "GET", "/v1/pipelines/"+def.ID+"/board?order=closeDate&limit=3", nil), http.StatusOK))
	if got, want := opportunityIDs(byClose.Columns[0].Opportunities), []string{soon.ID, later.ID, first[0]}; !slices.Equal(got, want) {
		t.Errorf("close date order %v, want %v", got, want)
	}
	e.want(e.do(u, "GET", "/v1/pipelines/"+def.ID+"/board?order=name", nil), http.StatusBadRequest)
}

// TestStageInUse: a pipeline with opportunities, or a stage removed from
// it, is refused with a 409 naming how many; a stage without any goes.
func TestStageInUse(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	p := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "POST", "/v1/pipelines", map[string]any{"name": "P", "stages": []map[string]any{
		stage("First", "open", 10), stage("Second", "open", 20), stage("Won", "won", 100), stage("Lost", "lost", 0)}}), http.StatusCreated))
	for range 2 {
		createOpportunity(e, u, map[string]any{"name": "In use", "pipelineId": p.ID})
	}
	r := e.want(e.do(u, "DELETE", "/v1/pipelines/"+p.ID, nil), http.StatusConflict)
	if d := contracttest.Decode[problemBody](r).Detail; !strings.Contains(d, "2 opportunities") {
		t.Errorf("the refusal says %q, want how many", d)
	}
	keep := func(s deals.Stage) map[string]any {
		return map[string]any{"id": s.ID, "name": s.Name, "kind": s.Kind, "probability": *s.Probability}
	}
	without := func(skip int) []map[string]any {
		var out []map[string]any
		for i, s := range p.Stages {
			if i != skip {
				out = append(out, keep(s))
			}
		}
		return out
	}
	r = e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, map[string]any{"stages": without(0)}, "If-Match", kitx.ETag(1)), http.StatusConflict)
	if d := contracttest.Decode[problemBody](r).Detail; !strings.Contains(d, "2 opportunities") {
		t.Errorf("the refusal says %q", d)
	}
	e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, map[string]any{"stages": without(1)}, "If-Match", kitx.ETag(1)), http.StatusOK)
}
