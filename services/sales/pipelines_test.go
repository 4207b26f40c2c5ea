package sales_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/deals"
)

// pipelineList is the body of GET /v1/pipelines.
type pipelineList struct {
	Items []deals.Pipeline `json:"items"`
}

// stage is a stage of a request.
func stage(name, kind string, probability int, required ...string) map[string]any {
	s := map[string]any{"name": name, "kind": kind, "probability": probability}
	if required != nil {
		s["requiredFields"] = required
	}
	return s
}

// threeStages are the stages of a small valid pipeline.
func threeStages() []map[string]any {
	return []map[string]any{stage("Open", "open", 30), stage("Won", "won", 100, "amount"), stage("Lost", "lost", 0, "lostReason")}
}

// names returns the names of stages.
func names(stages []deals.Stage) []string {
	var out []string
	for _, s := range stages {
		out = append(out, s.Name)
	}
	return out
}

func TestDefaultPipeline(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	list := contracttest.Decode[pipelineList](e.want(e.do(u.as("sales:read"), "GET", "/v1/pipelines", nil), http.StatusOK)).Items
	if len(list) != 1 || !list[0].IsDefault || list[0].Name != deals.DefaultPipelineName || list[0].Version != 1 {
		t.Fatalf("a new tenant's pipelines = %+v, want its default pipeline alone", list)
	}
	def := list[0]
	want := []string{"Lead", "Initial contact", "Needs confirmed", "Proposal", "Quote", "Negotiation", "Won", "After-sales", "Lost"}
	if got := names(def.Stages); !slices.Equal(got, want) {
		t.Errorf("default stages = %v, want %v", got, want)
	}
	var kinds []string
	for _, s := range def.Stages {
		kinds = append(kinds, s.Kind)
	}
	if want := []string{"open", "open", "open", "open", "open", "open", "won", "won", "lost"}; !slices.Equal(kinds, want) {
		t.Errorf("default kinds = %v, want %v", kinds, want)
	}
	got := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "GET", "/v1/pipelines/"+def.ID, nil), http.StatusOK))
	if got.ID != def.ID || len(got.Stages) != len(want) || got.Stages[4].ID != def.Stages[4].ID {
		t.Errorf("GET the default pipeline = %+v, want %+v", got, def)
	}
	again := contracttest.Decode[pipelineList](e.want(e.do(u, "GET", "/v1/pipelines", nil), http.StatusOK)).Items
	if len(again) != 1 || again[0].ID != def.ID {
		t.Errorf("a second list = %+v, want the same default pipeline", again)
	}
	e.want(e.do(u, "DELETE", "/v1/pipelines/"+def.ID, nil), http.StatusConflict)
	var created []string
	for _, p := range e.published() {
		if p.Type == "dev.rapport.sales.pipeline.created.v1" && p.TenantID == u.tenant {
			created = append(created, p.Subject)
		}
	}
	if !slices.Equal(created, []string{def.ID}) {
		t.Errorf("pipeline.created events of the tenant = %v, want one, of %s", created, def.ID)
	}
}

// TestDefaultPipelineRace sends a new tenant's first requests at once:
// every one of them sees the same one default pipeline, which is created
// and published once. A lock on pipelines, held until every request has
// found no default pipeline and waits to insert one, makes them race.
func TestDefaultPipelineRace(t *testing.T) {
	e := newEnv(t)
	for round := range 3 {
		u := newUser(uuid.NewString())
		const n = 8
		hold, err := e.admin.Beginx()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hold.Exec("LOCK TABLE pipelines IN SHARE ROW EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		type answer struct {
			status int
			ids    []string
		}
		answers := make(chan answer, n)
		start := make(chan struct{})
		for range n {
			go func() {
				<-start
				req, _ := http.NewRequest("GET", e.base+"/v1/pipelines", nil)
				e.authorize(req, u)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					answers <- answer{}
					return
				}
				defer resp.Body.Close()
				a := answer{status: resp.StatusCode}
				var list pipelineList
				if err := json.Unmarshal(readAll(resp), &list); err != nil {
					a.status = 0 // not a list: fails the test below
				}
				for _, p := range list.Items {
					a.ids = append(a.ids, p.ID)
				}
				answers <- a
			}()
		}
		close(start)
		testkit.Eventually(t, 30*time.Second, "every request waits to insert the default pipeline", func() (bool, string) {
			var waiting int
			if err := e.admin.Get(&waiting, "SELECT count(*) FROM pg_locks WHERE relation = 'pipelines'::regclass AND NOT granted"); err != nil {
				t.Fatal(err)
			}
			return waiting == n, fmt.Sprintf("%d waiting", waiting)
		})
		if err := hold.Commit(); err != nil {
			t.Fatal(err)
		}
		var first []string
		for range n {
			a := <-answers
			if a.status != http.StatusOK || len(a.ids) != 1 || (first != nil && a.ids[0] != first[0]) {
				t.Fatalf("round %d: an answer %d with pipelines %v; want 200 with the one default pipeline (first %v)", round, a.status, a.ids, first)
			}
			first = a.ids
		}
		var count int
		if err := e.admin.Get(&count, "SELECT count(*) FROM pipelines WHERE tenant_id = $1", u.tenant); err != nil || count != 1 {
			t.Fatalf("round %d: %d pipelines (%v), want 1", round, count, err)
		}
	}
	perTenant := map[string]int{}
	for _, p := range e.published() {
		if p.Type == "dev.rapport.sales.pipeline.created.v1" {
			perTenant[p.TenantID]++
		}
	}
	for tenant, n := range perTenant {
		if n != 1 {
			t.Errorf("tenant %s: %d pipeline.created events, want 1", tenant, n)
		}
	}
	if len(perTenant) != 3 {
		t.Errorf("pipeline.created for %d tenants, want 3", len(perTenant))
	}
}

func TestPipelineLifecycle(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	r := e.want(e.do(u, "POST", "/v1/pipelines", map[string]any{"name": " Renewals ", "stages": threeStages()}), http.StatusCreated)
	p := contracttest.Decode[deals.Pipeline](r)
	if p.Name != "Renewals" || p.IsDefault || p.Version != 1 || len(p.Stages) != 3 || r.Header.Get("ETag") != kitx.ETag(1) ||
		r.Header.Get("Location") != "/v1/pipelines/"+p.ID {
		t.Fatalf("created %+v (ETag %s, Location %s)", p, r.Header.Get("ETag"), r.Header.Get("Location"))
	}
	if p.Stages[1].RequiredFields[0] != "amount" || len(p.Stages[0].RequiredFields) != 0 || *p.Stages[2].Probability != 0 {
		t.Errorf("stages = %+v", p.Stages)
	}
	e.want(e.do(u, "POST", "/v1/pipelines", map[string]any{"name": "RENEWALS", "stages": threeStages()}), http.StatusConflict)

	// A PATCH needs If-Match, and the current one.
	rename := map[string]any{"name": "Renewals 2027"}
	e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, rename), http.StatusPreconditionRequired)
	e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, rename, "If-Match", kitx.ETag(7)), http.StatusPreconditionFailed)
	r = e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, rename, "If-Match", kitx.ETag(1)), http.StatusOK)
	if got := contracttest.Decode[deals.Pipeline](r); got.Name != "Renewals 2027" || got.Version != 2 || !slices.Equal(kitx.ChangedFields(r.Header), []string{"name"}) {
		t.Errorf("renamed %+v, changed %v", got, kitx.ChangedFields(r.Header))
	}
	e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, rename, "If-Match", kitx.ETag(1)), http.StatusPreconditionFailed)

	// Stages move and change keeping their ids; a new one gets an id; one
	// left out is gone.
	open, won := p.Stages[0], p.Stages[1]
	r = e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, map[string]any{"stages": []map[string]any{
		stage("Qualify", "open", 20),
		{"id": open.ID, "name": "Propose", "kind": "open", "probability": 50, "requiredFields": []string{"accountId"}},
		{"id": won.ID, "name": "Won", "kind": "won"},
		stage("Lost", "lost", 0),
	}}, "If-Match", kitx.ETag(2)), http.StatusOK)
	got := contracttest.Decode[deals.Pipeline](r)
	if !slices.Equal(names(got.Stages), []string{"Qualify", "Propose", "Won", "Lost"}) || got.Version != 3 {
		t.Fatalf("stages after the patch = %v (version %d)", names(got.Stages), got.Version)
	}
	if got.Stages[1].ID != open.ID || got.Stages[2].ID != won.ID || got.Stages[0].ID == "" || got.Stages[3].ID == p.Stages[2].ID ||
		*got.Stages[2].Probability != 100 || len(got.Stages[2].RequiredFields) != 0 {
		t.Errorf("stages = %+v, want the open and won stages' ids kept, new ids for the others", got.Stages)
	}
	if again := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "GET", "/v1/pipelines/"+p.ID, nil), http.StatusOK)); !slices.Equal(names(again.Stages), names(got.Stages)) ||
		again.Stages[0].ID != got.Stages[0].ID {
		t.Errorf("read back %+v, want %+v", again.Stages, got.Stages)
	}
	// A patch changing nothing keeps the version.
	if same := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, map[string]any{"name": "Renewals 2027"}, "If-Match", kitx.ETag(3)), http.StatusOK)); same.Version != 3 {
		t.Errorf("an empty change made version %d, want 3", same.Version)
	}

	list := contracttest.Decode[pipelineList](e.want(e.do(u, "GET", "/v1/pipelines", nil), http.StatusOK)).Items
	if len(list) != 2 || !list[0].IsDefault || list[1].ID != p.ID {
		t.Errorf("list = %+v, want the default pipeline, then %s", list, p.ID)
	}
	e.want(e.do(u, "DELETE", "/v1/pipelines/"+p.ID, nil, "If-Match", kitx.ETag(2)), http.StatusPreconditionFailed)
	e.want(e.do(u, "DELETE", "/v1/pipelines/"+p.ID, nil, "If-Match", kitx.ETag(3)), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/pipelines/"+p.ID, nil), http.StatusNotFound)
	e.want(e.do(u, "DELETE", "/v1/pipelines/"+p.ID, nil), http.StatusNotFound)
	var stages int
	if err := e.admin.Get(&stages, "SELECT count(*) FROM pipeline_stages WHERE pipeline_id = $1", p.ID); err != nil || stages != 0 {
		t.Errorf("%d stages left of the deleted pipeline (%v)", stages, err)
	}

	var mine []string
	for _, ev := range e.published() {
		if ev.Subject == p.ID {
			mine = append(mine, ev.Type)
		}
	}
	want := []string{"dev.rapport.sales.pipeline.created.v1", "dev.rapport.sales.pipeline.updated.v1",
		"dev.rapport.sales.pipeline.updated.v1", "dev.rapport.sales.pipeline.deleted.v1"}
	if !slices.Equal(mine, want) {
		t.Errorf("the pipeline's events = %v, want %v", mine, want)
	}
	validateEvents(t, e)
}

// TestConcurrentPatches sends patches of one pipeline at one version at
// once: one wins, the others are 412, and no change is lost.
func TestConcurrentPatches(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	p := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "POST", "/v1/pipelines", map[string]any{"name": "Partners", "stages": threeStages()}), http.StatusCreated))
	const n = 8
	statuses := make(chan int, n)
	start := make(chan struct{})
	for i := range n {
		go func() {
			<-start
			req, _ := http.NewRequest("PATCH", e.base+"/v1/pipelines/"+p.ID, jsonBody(map[string]any{"name": "Partners " + string(rune('A'+i))}))
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
	if got := contracttest.Decode[deals.Pipeline](e.want(e.do(u, "GET", "/v1/pipelines/"+p.ID, nil), http.StatusOK)); got.Version != 2 {
		t.Errorf("version %d after the race, want 2", got.Version)
	}
}

func TestPipelinePermissionsAndTenants(t *testing.T) {
	e := newEnv(t)
	a, b := newUser(uuid.NewString()), newUser(uuid.NewString())
	p := contracttest.Decode[deals.Pipeline](e.want(e.do(a, "POST", "/v1/pipelines", map[string]any{"name": "Channel", "stages": threeStages()}), http.StatusCreated))

	for _, u := range []user{a.as("sales:read"), a.as("sales:read", "sales:write")} {
		e.want(e.do(u, "GET", "/v1/pipelines/"+p.ID, nil), http.StatusOK)
		e.want(e.do(u, "POST", "/v1/pipelines", map[string]any{"name": "X", "stages": threeStages()}), http.StatusForbidden)
		e.want(e.do(u, "PATCH", "/v1/pipelines/"+p.ID, map[string]any{"name": "X"}, "If-Match", kitx.ETag(1)), http.StatusForbidden)
		e.want(e.do(u, "DELETE", "/v1/pipelines/"+p.ID, nil), http.StatusForbidden)
	}
	e.want(e.do(a.as("contacts:*"), "GET", "/v1/pipelines", nil), http.StatusForbidden)

	// Another tenant sees none of it.
	e.want(e.do(b, "GET", "/v1/pipelines/"+p.ID, nil), http.StatusNotFound)
	e.want(e.do(b, "PATCH", "/v1/pipelines/"+p.ID, map[string]any{"name": "pwned"}, "If-Match", kitx.ETag(1)), http.StatusNotFound)
	e.want(e.do(b, "DELETE", "/v1/pipelines/"+p.ID, nil), http.StatusNotFound)
	e.want(e.do(b, "GET", "/v1/pipelines/not-a-uuid", nil), http.StatusNotFound)
	for _, other := range contracttest.Decode[pipelineList](e.want(e.do(b, "GET", "/v1/pipelines", nil), http.StatusOK)).Items {
		if other.ID == p.ID || !other.IsDefault {
			t.Errorf("tenant B lists %+v", other)
		}
	}
	// B cannot take a stage id of A's pipeline for one of its own.
	bp := contracttest.Decode[deals.Pipeline](e.want(e.do(b, "POST", "/v1/pipelines", map[string]any{"name": "Channel", "stages": threeStages()}), http.StatusCreated))
	stolen := []map[string]any{{"id": p.Stages[0].ID, "name": "Open", "kind": "open", "probability": 10}, stage("Won", "won", 100), stage("Lost", "lost", 0)}
	r := e.want(e.do(b, "PATCH", "/v1/pipelines/"+bp.ID, map[string]any{"stages": stolen}, "If-Match", kitx.ETag(1)), http.StatusBadRequest)
	if !slices.Equal(r.fields(), []string{"stages/0/id"}) {
		t.Errorf("fields %v, want stages/0/id", r.fields())
	}
	if got := contracttest.Decode[deals.Pipeline](e.want(e.do(a, "GET", "/v1/pipelines/"+p.ID, nil), http.StatusOK)); got.Version != 1 || got.Name != "Channel" {
		t.Errorf("A's pipeline changed: %+v", got)
	}

	tables, err := pg.TablesWithoutRLS(context.Background(), e.admin.DB)
	if err != nil || len(tables) != 0 {
		t.Errorf("tables without forced row-level security: %v (%v)", tables, err)
	}
}
