package sales_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales/leads"
)

// createScoringRule adds a scoring rule as u, wanting it created.
func createScoringRule(e *env, u user, body map[string]any) leads.ScoringRule {
	e.t.Helper()
	return contracttest.Decode[leads.ScoringRule](e.want(e.do(u, "POST", "/v1/lead-scoring-rules", body), http.StatusCreated))
}

// waitRescan waits until the rescan of tenant's lead scores a change of
// its scoring rules asked for is through (leads.Rescans, a job of the
// service's: its row is deleted in the transaction of its last batch).
func (e *env) waitRescan(tenant string) {
	e.t.Helper()
	testkit.Eventually(e.t, 45*time.Second, "lead scores of "+tenant+" rescanned", func() (bool, string) {
		var n int
		if err := e.admin.Get(&n, "SELECT count(*) FROM lead_score_rescans WHERE tenant_id = $1", tenant); err != nil {
			e.t.Fatal(err)
		}
		return n == 0, ""
	})
}

// readLead reads the lead id as u.
func readLead(e *env, u user, id string) leads.Lead {
	e.t.Helper()
	return contracttest.Decode[leads.Lead](e.want(e.do(u, "GET", "/v1/leads/"+id, nil), http.StatusOK))
}

// leadScore reads the breakdown of the lead id's score as u.
func leadScore(e *env, u user, id string) leads.Score {
	e.t.Helper()
	return contracttest.Decode[leads.Score](e.want(e.do(u, "GET", "/v1/leads/"+id+"/score", nil), http.StatusOK))
}

// reasons renders a lead's score reasons as ruleId:points.
func reasons(rs []leads.ScoreReason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s:%d", r.RuleID, r.Points))
	}
	return out
}

// Field rules score a lead as it is created and each time it changes,
// with the reason of each rule's points; a threshold moves a lead whose
// score rises to it, once: a lead moved back stays where it was put, and
// the move is recorded with its rule.
func TestLeadScoringFieldRulesAndThresholds(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	vp := createScoringRule(e, u, map[string]any{"name": "Senior title", "kind": "field", "points": 30,
		"condition": map[string]any{"field": "title", "op": "contains", "value": "vp"}})
	referral := createScoringRule(e, u, map[string]any{"name": "Referral", "kind": "field", "points": 25,
		"condition": map[string]any{"field": "source", "op": "eq", "value": "referral"}})
	vip := createScoringRule(e, u, map[string]any{"name": "VIP", "kind": "field", "points": 10,
		"condition": map[string]any{"field": "tags", "op": "contains", "value": "VIP"}})
	free := createScoringRule(e, u, map[string]any{"name": "Free mail", "kind": "field", "points": -5,
		"condition": map[string]any{"field": "email", "op": "contains", "value": "@gmail."}})
	qualify := createScoringRule(e, u, map[string]any{"name": "Qualify at 50", "kind": "threshold", "minScore": 50,
		"fromStatuses": []string{"new", "working"}, "toStatus": "qualified"})
	e.waitRescan(u.tenant)
	var cond struct{ Value string }
	if err := json.Unmarshal(vip.Condition, &cond); err != nil || cond.Value != "vip" {
		t.Errorf("the tag condition kept as %s (%v), want its value in lower case", vip.Condition, err)
	}

	l := createLead(e, u, map[string]any{"lastName": "Ng", "title": "VP Sales", "email": "ng@gmail.com", "source": "web"})
	if l.Score != 25 || !slices.Equal(reasons(l.ScoreReasons), []string{vp.ID + ":30", free.ID + ":-5"}) || l.Status != "new" {
		t.Fatalf("created: score %d, reasons %v, status %s", l.Score, reasons(l.ScoreReasons), l.Status)
	}
	if l.ScoreReasons[0].Reason != "Senior title" {
		t.Errorf("reason %q, want the rule's name", l.ScoreReasons[0].Reason)
	}
	r := patchLead(e, u, l.ID, l.Version, map[string]any{"tags": []string{"Vip"}}, http.StatusOK)
	if got := contracttest.Decode[leads.Lead](r); got.Score != 35 || got.Status != "new" {
		t.Fatalf("tagged: score %d, status %s", got.Score, got.Status)
	}
	r = patchLead(e, u, l.ID, l.Version+1, map[string]any{"source": "referral"}, http.StatusOK)
	got := contracttest.Decode[leads.Lead](r)
	if got.Score != 60 || got.Status != "qualified" || !slices.Equal(reasons(got.ScoreReasons), []string{vp.ID + ":30", referral.ID + ":25", vip.ID + ":10", free.ID + ":-5"}) {
		t.Fatalf("referred: score %d, status %s, reasons %v", got.Score, got.Status, reasons(got.ScoreReasons))
	}
	score := leadScore(e, u, l.ID)
	if score.Score != 60 || len(score.Moves) != 1 || score.Moves[0].RuleID != qualify.ID || score.Moves[0].From != "new" ||
		score.Moves[0].To != "qualified" || score.Moves[0].Score != 60 || len(score.Reasons) != 4 {
		t.Errorf("breakdown: %+v", score)
	}

	// Worked again by hand, it stays working: the score did not cross 50.
	got = contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, got.Version, map[string]any{"status": "working", "title": "Head of VP relations"}, http.StatusOK))
	if got.Status != "working" || got.Score != 60 {
		t.Errorf("worked: status %s, score %d", got.Status, got.Score)
	}
	// Below and above again: moved again.
	got = contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, got.Version, map[string]any{"source": "web"}, http.StatusOK))
	got = contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, got.Version, map[string]any{"source": "referral"}, http.StatusOK))
	if got.Status != "qualified" || len(leadScore(e, u, l.ID).Moves) != 2 {
		t.Errorf("crossed again: status %s, moves %d", got.Status, len(leadScore(e, u, l.ID).Moves))
	}
	want := [][]string{{"scoreReasons", "score", "tags"}, {"scoreReasons", "score", "source", "status"}, {"status", "title"},
		{"scoreReasons", "score", "source"}, {"scoreReasons", "score", "source", "status"}}
	if got := changes(e, "lead", l.ID); fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(want)) {
		t.Errorf("lead.updated changed %v, want %v", got, want)
	}

	// A lead created above the threshold is created qualified; one
	// created disqualified stays so.
	hot := createLead(e, u, map[string]any{"lastName": "Hot", "title": "VP", "source": "referral"})
	if hot.Status != "qualified" || hot.Score != 55 {
		t.Errorf("created hot: status %s, score %d", hot.Status, hot.Score)
	}
	out := createLead(e, u, map[string]any{"lastName": "Out", "title": "VP", "source": "referral", "status": "disqualified", "disqualifiedReason": "competitor"})
	if out.Status != "disqualified" || out.Score != 55 {
		t.Errorf("created disqualified: status %s, score %d", out.Status, out.Score)
	}
	validateEvents(t, e)
}

// sorted is each list of names sorted, for comparing changed fields.
func sorted(lists [][]string) [][]string {
	out := make([][]string, len(lists))
	for i, l := range lists {
		out[i] = slices.Sorted(slices.Values(l))
	}
	return out
}

// A change of the rules scores the tenant's live, unconverted leads again
// (lead.updated for those that move) soon after, in the background, and
// only that tenant's; switching a rule off or deleting it takes its
// points away.
func TestLeadScoringRuleChangesRescore(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	a := createLead(e, u, map[string]any{"lastName": "A", "company": "Acme Robotics"})
	b := createLead(e, u, map[string]any{"lastName": "B", "company": "Bolt"})
	gone := createLead(e, u, map[string]any{"lastName": "Gone", "company": "Acme"})
	e.want(e.do(u, "DELETE", "/v1/leads/"+gone.ID, nil, "If-Match", kitx.ETag(1)), http.StatusNoContent)
	theirs := createLead(e, other, map[string]any{"lastName": "Theirs", "company": "Acme"})

	rule := createScoringRule(e, u, map[string]any{"name": "Acme", "kind": "field", "points": 40,
		"condition": map[string]any{"field": "company", "op": "startsWith", "value": "acme"}})
	e.waitRescan(u.tenant)
	if got := readLead(e, u, a.ID); got.Score != 40 || got.Version != 2 || !slices.Equal(reasons(got.ScoreReasons), []string{rule.ID + ":40"}) {
		t.Errorf("a: score %d, version %d, reasons %v", got.Score, got.Version, reasons(got.ScoreReasons))
	}
	if got := readLead(e, u, b.ID); got.Score != 0 || got.Version != 1 {
		t.Errorf("b: score %d, version %d", got.Score, got.Version)
	}
	if got := readLead(e, u, gone.ID); got.Score != 0 {
		t.Errorf("deleted lead scored %d", got.Score)
	}
	if got := readLead(e, other, theirs.ID); got.Score != 0 || got.Version != 1 {
		t.Errorf("another tenant's lead: score %d, version %d", got.Score, got.Version)
	}

	r := e.want(e.do(u, "PATCH", "/v1/lead-scoring-rules/"+rule.ID, map[string]any{"points": 15}, "If-Match", kitx.ETag(rule.Version)), http.StatusOK)
	rule = contracttest.Decode[leads.ScoringRule](r)
	e.waitRescan(u.tenant)
	if got := readLead(e, u, a.ID); got.Score != 15 || got.Version != 3 {
		t.Errorf("after the patch: score %d, version %d", got.Score, got.Version)
	}
	r = e.want(e.do(u, "PATCH", "/v1/lead-scoring-rules/"+rule.ID, map[string]any{"active": false}, "If-Match", kitx.ETag(rule.Version)), http.StatusOK)
	rule = contracttest.Decode[leads.ScoringRule](r)
	e.waitRescan(u.tenant)
	if got := readLead(e, u, a.ID); got.Score != 0 || len(got.ScoreReasons) != 0 {
		t.Errorf("switched off: score %d, reasons %v", got.Score, got.ScoreReasons)
	}
	e.want(e.do(u, "PATCH", "/v1/lead-scoring-rules/"+rule.ID, map[string]any{"active": true}, "If-Match", kitx.ETag(rule.Version)), http.StatusOK)
	e.waitRescan(u.tenant)
	e.want(e.do(u, "DELETE", "/v1/lead-scoring-rules/"+rule.ID, nil), http.StatusNoContent)
	e.waitRescan(u.tenant)
	if got := readLead(e, u, a.ID); got.Score != 0 || got.Version != 6 {
		t.Errorf("deleted rule: score %d, version %d", got.Score, got.Version)
	}
	e.want(e.do(u, "GET", "/v1/lead-scoring-rules/"+rule.ID, nil), http.StatusNotFound)
	want := [][]string{{"score", "scoreReasons"}, {"score", "scoreReasons"}, {"score", "scoreReasons"}, {"score", "scoreReasons"}, {"score", "scoreReasons"}}
	if got := changes(e, "lead", a.ID); fmt.Sprint(sorted(got)) != fmt.Sprint(want) {
		t.Errorf("lead.updated of a changed %v, want %v", got, want)
	}
	if got := changes(e, "lead", b.ID); len(got) != 0 {
		t.Errorf("lead.updated of b: %v", got)
	}
	validateEvents(t, e)
}

// Field rules test the tenant's custom fields of leads as
// customFields.<key>, as typed by their definitions; a rule naming a
// field without a definition is a 400, and a rule whose field's
// definition is deleted matches no lead without failing its writes.
func TestLeadScoringCustomFields(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	field := contracttest.Decode[struct {
		ID string `json:"id"`
	}](e.want(e.do(u, "POST", "/v1/lead-custom-fields", map[string]any{"key": "budget", "label": "Budget", "type": "number"}), http.StatusCreated))
	big := createScoringRule(e, u, map[string]any{"name": "Big budget", "kind": "field", "points": 20,
		"condition": map[string]any{"field": "customFields.budget", "op": "gte", "value": 10000}})
	r := e.want(e.do(u, "POST", "/v1/lead-scoring-rules", map[string]any{"name": "Nope", "kind": "field", "points": 1,
		"condition": map[string]any{"field": "customFields.nope", "op": "eq", "value": "x"}}), http.StatusBadRequest)
	if got := r.fields(); !slices.Equal(got, []string{"condition/field"}) {
		t.Errorf("an unknown custom field: fields %v", got)
	}
	e.waitRescan(u.tenant)

	l := createLead(e, u, map[string]any{"lastName": "Rich", "customFields": map[string]any{"budget": 25000}})
	if l.Score != 20 || !slices.Equal(reasons(l.ScoreReasons), []string{big.ID + ":20"}) {
		t.Fatalf("created: score %d, reasons %v", l.Score, reasons(l.ScoreReasons))
	}
	got := contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, l.Version, map[string]any{"customFields": map[string]any{"budget": 5000}}, http.StatusOK))
	if got.Score != 0 {
		t.Errorf("a small budget: score %d", got.Score)
	}
	got = contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, got.Version, map[string]any{"customFields": map[string]any{"budget": 50000}}, http.StatusOK))
	if got.Score != 20 {
		t.Errorf("a big budget again: score %d", got.Score)
	}
	e.want(e.do(u, "DELETE", "/v1/lead-custom-fields/"+field.ID, nil), http.StatusNoContent)
	got = contracttest.Decode[leads.Lead](patchLead(e, u, l.ID, got.Version, map[string]any{"title": "CEO"}, http.StatusOK))
	if got.Score != 0 || len(got.ScoreReasons) != 0 {
		t.Errorf("the definition deleted: score %d, reasons %v", got.Score, got.ScoreReasons)
	}
	validateEvents(t, e)
}

// A rescan goes through the tenant's leads in batches of their own
// transactions until every one is scored: more leads than a batch holds
// all move, each once.
func TestLeadScoringRescanBatches(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	const n = 205
	for i := range n {
		createLead(e, u, map[string]any{"lastName": fmt.Sprint("L", i), "company": fmt.Sprint("Acme ", i)})
	}
	createScoringRule(e, u, map[string]any{"name": "Acme", "kind": "field", "points": 10,
		"condition": map[string]any{"field": "company", "op": "startsWith", "value": "Acme"}})
	e.waitRescan(u.tenant)
	var scored, updates int
	if err := e.admin.Get(&scored, "SELECT count(*) FROM leads WHERE tenant_id = $1 AND score = 10 AND version = 2", u.tenant); err != nil {
		t.Fatal(err)
	}
	for _, ev := range e.published() {
		if ev.Type == "dev.rapport.sales.lead.updated.v1" {
			updates++
		}
	}
	if scored != n || updates != n {
		t.Errorf("%d leads scored at version 2, %d lead.updated; want %d", scored, updates, n)
	}
}

// Scoring rules are the tenant's configuration: read with sales:read,
// changed with sales:admin, invisible to another tenant; bad rules are
// 400s naming the field, a change without If-Match a 428.
func TestLeadScoringRulesPermissionsAndBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	writer, reader := u.as("sales:read", "sales:write"), u.as("sales:read")
	body := map[string]any{"name": "Web", "kind": "field", "points": 5, "condition": map[string]any{"field": "source", "op": "eq", "value": "web"}}
	e.want(e.do(writer, "POST", "/v1/lead-scoring-rules", body), http.StatusForbidden)
	rule := createScoringRule(e, u, body)
	e.want(e.do(reader, "GET", "/v1/lead-scoring-rules/"+rule.ID, nil), http.StatusOK)
	if list := contracttest.Decode[struct{ Items []leads.ScoringRule }](e.want(e.do(reader, "GET", "/v1/lead-scoring-rules", nil), http.StatusOK)); len(list.Items) != 1 {
		t.Errorf("listed %d rules", len(list.Items))
	}
	e.want(e.do(writer, "PATCH", "/v1/lead-scoring-rules/"+rule.ID, map[string]any{"points": 6}, "If-Match", kitx.ETag(1)), http.StatusForbidden)
	e.want(e.do(writer, "DELETE", "/v1/lead-scoring-rules/"+rule.ID, nil), http.StatusForbidden)
	stranger := newUser(uuid.NewString())
	e.want(e.do(stranger, "GET", "/v1/lead-scoring-rules/"+rule.ID, nil), http.StatusNotFound)
	e.want(e.do(stranger, "PATCH", "/v1/lead-scoring-rules/"+rule.ID, map[string]any{"points": 6}, "If-Match", kitx.ETag(1)), http.StatusNotFound)

	for _, c := range []struct {
		body   map[string]any
		fields []string
	}{
		{map[string]any{"name": "x", "kind": "magic"}, []string{"kind"}},
		{map[string]any{"name": "", "kind": "field", "points": 0}, []string{"name", "points", "condition"}},
		{map[string]any{"name": "x", "kind": "field", "points": 1, "condition": map[string]any{"field": "ownerId", "op": "eq", "value": "u"}}, []string{"condition/field"}},
		{map[string]any{"name": "x", "kind": "behaviour", "points": 1, "event": "clicked", "activityType": "call"}, []string{"event", "activityType"}},
		{map[string]any{"name": "x", "kind": "behaviour", "points": 2000, "event": "activity", "maxPoints": -1}, []string{"points", "maxPoints"}},
		{map[string]any{"name": "x", "kind": "threshold", "minScore": 0, "fromStatuses": []string{"converted", "new", "new"}, "toStatus": "converted"},
			[]string{"minScore", "toStatus", "fromStatuses/0", "fromStatuses/1", "fromStatuses/2"}},
	} {
		r := e.want(e.do(u, "POST", "/v1/lead-scoring-rules", c.body), http.StatusBadRequest)
		if got := r.fields(); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(c.fields))) {
			t.Errorf("%v: fields %v, want %v", c.body, got, c.fields)
		}
	}
	if got := e.want(e.do(u, "PATCH", "/v1/lead-scoring-rules/"+rule.ID, map[string]any{"kind": "threshold"}, "If-Match", kitx.ETag(1)), http.StatusBadRequest).fields(); !slices.Equal(got, []string{"kind"}) {
		t.Errorf("a patch of the kind: fields %v", got)
	}
	e.want(e.do(u, "PATCH", "/v1/lead-scoring-rules/"+rule.ID, map[string]any{"points": 6}), http.StatusPreconditionRequired)
	e.want(e.do(u, "PATCH", "/v1/lead-scoring-rules/"+rule.ID, map[string]any{"points": 6}, "If-Match", kitx.ETag(7)), http.StatusPreconditionFailed)
	e.want(e.do(u, "GET", "/v1/lead-scoring-rules/not-a-uuid", nil), http.StatusNotFound)

	// A lead's breakdown is within the caller's record scope.
	l := createLead(e, u, map[string]any{"lastName": "Web", "source": "web"})
	own := u.scoped("own")
	e.want(e.do(own, "GET", "/v1/leads/"+l.ID+"/score", nil), http.StatusNotFound)
	if s := leadScore(e, u, l.ID); s.Score != 5 || len(s.Behaviours) != 0 || len(s.Moves) != 0 {
		t.Errorf("breakdown %+v", s)
	}
}
