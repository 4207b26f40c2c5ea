package support_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/services/support/surveys"
)

// TestSurveyResults: CSAT results per agent, queue and month (sent,
// answered, average, percentage satisfied) and in total; a low score with
// the action alert leaves the case solved; bad queries name the field.
func TestSurveyResults(t *testing.T) {
	e := newSurveyEnv(t)
	u := newUser(uuid.NewString())
	e.setSurveys(u, surveySettings(surveys.ActionAlert, false))
	a1, a2, q1, q2 := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	scores := map[string]int{"a@customer.example": 5, "b@customer.example": 4, "c@customer.example": 1}
	var low string
	for _, c := range []struct{ address, agent, queue string }{
		{"a@customer.example", a1, q1}, {"b@customer.example", a1, q2}, {"c@customer.example", a2, q1}, {"d@customer.example", a2, q2},
	} {
		k := e.openMailCase(u, c.address, "Order "+c.address, c.agent, c.queue)
		e.solve(u, k.ID)
		e.waitSurvey(k.ID)
		if c.address == "c@customer.example" {
			low = k.ID
		}
	}
	e.sendSurveys()
	for range 4 {
		m := e.nextSurvey()
		if score, ok := scores[m.To]; ok {
			e.answer(u.tenant, m.Token, map[string]any{"score": score}, http.StatusCreated)
		}
	}
	if st := e.caseStatus(u, low); st != "solved" {
		t.Fatalf("a low score with the action alert moved the case to %s", st)
	}

	results := func(query string) surveys.Results {
		t.Helper()
		return contracttest.Decode[surveys.Results](e.want(e.do(u, "GET", "/v1/surveys/results?kind=csat"+query, nil), http.StatusOK))
	}
	type want struct {
		sent, answered     int
		average, satisfied float64
	}
	check := func(name string, r surveys.Result, w want) {
		t.Helper()
		if r.Sent != w.sent || r.Answered != w.answered || r.Average == nil || *r.Average != w.average || r.SatisfiedPercent == nil ||
			*r.SatisfiedPercent != w.satisfied {
			t.Errorf("%s: %+v, want %+v", name, r, w)
		}
	}
	byAgent := results("&groupBy=agent")
	check("total", byAgent.Total, want{4, 3, 3.33, 66.7})
	if len(byAgent.Groups) != 2 {
		t.Fatalf("groups by agent %+v", byAgent.Groups)
	}
	for _, g := range byAgent.Groups {
		switch g.Key {
		case a1:
			check("agent 1", g, want{2, 2, 4.5, 100})
		case a2:
			check("agent 2", g, want{2, 1, 1, 0})
		default:
			t.Errorf("group %+v", g)
		}
	}
	byQueue := results("&groupBy=queue")
	for _, g := range byQueue.Groups {
		switch g.Key {
		case q1:
			check("queue 1", g, want{2, 2, 3, 50})
		case q2:
			check("queue 2", g, want{2, 1, 4, 100})
		default:
			t.Errorf("group %+v", g)
		}
	}
	byMonth := results("&groupBy=month")
	if len(byMonth.Groups) != 1 || byMonth.Groups[0].Key != time.Now().UTC().Format("2006-01") {
		t.Errorf("groups by month %+v", byMonth.Groups)
	}
	if r := results("&to=" + time.Now().Add(-48*time.Hour).UTC().Format(time.RFC3339)); r.Total.Sent != 0 || len(r.Groups) != 0 {
		t.Errorf("surveys sent later counted in an earlier period: %+v", r)
	}
	if r := contracttest.Decode[surveys.Results](e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/surveys/results?kind=csat", nil), 200)); r.Total.Sent != 0 {
		t.Errorf("another tenant sees %+v", r.Total)
	}

	for query, field := range map[string]string{
		"":                          "kind",
		"?kind=ces":                 "kind",
		"?kind=csat&groupBy=team":   "groupBy",
		"?kind=csat&from=yesterday": "from",
		"?kind=csat&from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z": "from",
	} {
		if got := e.want(e.do(u, "GET", "/v1/surveys/results"+query, nil), http.StatusBadRequest).fields(); len(got) != 1 || got[0] != field {
			t.Errorf("%q: fields %v, want %s", query, got, field)
		}
	}
	if got := e.want(e.do(u, "PUT", "/v1/surveys/settings", map[string]any{"csatEnabled": true, "csatDelayMinutes": -1, "expiryDays": 0,
		"lowThreshold": 5, "lowAction": "call", "npsEnabled": false, "npsEveryDays": 30}), http.StatusBadRequest).fields(); len(got) != 4 {
		t.Errorf("bad settings named %v", got)
	}
	e.want(e.do(u.as("support:read"), "PUT", "/v1/surveys/settings", surveySettings(surveys.ActionAlert, false)), http.StatusForbidden)
	set := contracttest.Decode[surveys.Settings](e.want(e.do(u.as("support:read"), "GET", "/v1/surveys/settings", nil), http.StatusOK))
	if !set.CSATEnabled || set.LowAction != surveys.ActionAlert || set.PortalSlug != "acme" || set.UpdatedBy != u.id || set.UpdatedAt == nil {
		t.Errorf("settings %+v", set)
	}
	if set := contracttest.Decode[surveys.Settings](e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/surveys/settings", nil), 200)); set.CSATEnabled ||
		set.NPSEnabled || set.UpdatedAt != nil {
		t.Errorf("a new tenant's settings %+v", set)
	}
}

// TestSurveyNPS: the NPS schedule mails one survey per address to the
// requesters of the cases solved in the period (none older), once per
// period; answers count as promoters and detractors.
func TestSurveyNPS(t *testing.T) {
	e := newSurveyEnv(t)
	u := newUser(uuid.NewString())
	settings := surveySettings(surveys.ActionBoth, true)
	settings["csatEnabled"] = false
	e.setSurveys(u, settings)
	for _, address := range []string{"ada@customer.example", "ADA@customer.example", "bo@customer.example", "old@customer.example"} {
		c := e.openMailCase(u, address, "Question", "", "")
		e.solve(u, c.ID)
		if address == "old@customer.example" {
			if _, err := e.admin.Exec(`UPDATE cases SET solved_at = now() - interval '40 days' WHERE id = $1`, c.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	nps := surveys.NewNPS(e.contractsDB(), quiet)
	for range 2 { // the second run is within the period: nothing more
		if err := nps.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	e.sendSurveys()
	got := map[string]string{}
	for range 2 {
		m := e.nextSurvey()
		if m.Subject != "How likely are you to recommend us?" {
			t.Fatalf("NPS mail %+v", m)
		}
		got[m.To] = m.Token
	}
	ada, bo := got["ada@customer.example"], got["bo@customer.example"]
	if len(got) != 2 || ada == "" || bo == "" {
		t.Fatalf("NPS surveys to %v", got)
	}
	e.noneSent()
	q := contracttest.Decode[surveys.Question](e.want(e.do(portalUser(u.tenant), "GET", "/portal/v1/surveys/"+ada, nil), http.StatusOK))
	if q.Kind != surveys.KindNPS || q.MinScore != 0 || q.MaxScore != 10 || q.CaseNumber != nil {
		t.Fatalf("question %+v", q)
	}
	for _, score := range []int{11, -1} {
		if f := e.answer(u.tenant, ada, map[string]any{"score": score}, http.StatusBadRequest).fields(); len(f) != 1 || f[0] != "score" {
			t.Fatalf("score %d: fields %v", score, f)
		}
	}
	e.answer(u.tenant, ada, map[string]any{"score": 10}, http.StatusCreated)
	e.answer(u.tenant, bo, map[string]any{"score": 3, "comment": "slow"}, http.StatusCreated)
	e.answer(u.tenant, bo, map[string]any{"score": 9}, http.StatusConflict)

	r := contracttest.Decode[surveys.Results](e.want(e.do(u, "GET", "/v1/surveys/results?kind=nps", nil), http.StatusOK))
	if r.Total.Sent != 2 || r.Total.Answered != 2 || r.Total.Promoters != 1 || r.Total.Detractors != 1 || r.Total.Passives != 0 ||
		r.Total.NPS == nil || *r.Total.NPS != 0 {
		t.Fatalf("NPS results %+v", r.Total)
	}
	page := contracttest.Decode[surveys.Page](e.want(e.do(u, "GET", "/v1/surveys?kind=nps&status=answered&limit=1", nil), http.StatusOK))
	if len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("page %+v", page)
	}
	next := contracttest.Decode[surveys.Page](e.want(e.do(u, "GET", "/v1/surveys?kind=nps&status=answered&limit=1&cursor="+page.NextCursor, nil), 200))
	if len(next.Items) != 1 || next.Items[0].ID == page.Items[0].ID || next.NextCursor != "" {
		t.Fatalf("next page %+v", next)
	}
	if f := e.want(e.do(u, "GET", "/v1/surveys?kind=ces", nil), http.StatusBadRequest).fields(); len(f) != 1 || f[0] != "kind" {
		t.Fatalf("fields %v", f)
	}
}
