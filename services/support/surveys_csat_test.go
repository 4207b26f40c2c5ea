package support_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/services/support/surveys"
)

// TestSurveyCSAT: solving a case mails its requester a CSAT survey with a
// signed link to the portal; the portal shows the question (the case's
// number and subject) and takes one answer (a second is 409); a forged,
// expired or other tenant's link is 404; a low score reopens the case and
// asks for an alert; the events match their schemas.
func TestSurveyCSAT(t *testing.T) {
	e := newSurveyEnv(t)
	u := newUser(uuid.NewString())
	e.setSurveys(u, surveySettings(surveys.ActionBoth, false))

	c := e.openMailCase(u, "ada@customer.example", "Printer jams", "", "")
	e.solve(u, c.ID)
	id := e.waitSurvey(c.ID)
	e.sendSurveys()
	m := e.nextSurvey()
	if m.To != "ada@customer.example" || !strings.Contains(m.Subject, "Printer jams") || m.Token == "" {
		t.Fatalf("survey mail %+v", m)
	}

	q := contracttest.Decode[surveys.Question](e.want(e.do(portalUser(u.tenant), "GET", "/portal/v1/surveys/"+m.Token, nil), http.StatusOK))
	if q.Kind != surveys.KindCSAT || q.CaseNumber == nil || *q.CaseNumber != c.Number || q.Subject != "Printer jams" || q.Answered ||
		q.MinScore != 1 || q.MaxScore != 5 {
		t.Fatalf("question %+v", q)
	}

	// Bad input names score and loses nothing: the link still answers.
	for _, body := range []map[string]any{{"score": 6}, {"score": 0}, {"comment": "no score"}} {
		if got := e.answer(u.tenant, m.Token, body, http.StatusBadRequest).fields(); len(got) != 1 || got[0] != "score" {
			t.Fatalf("%v: fields %v", body, got)
		}
	}
	e.answer(u.tenant, m.Token, map[string]any{"score": 5, "comment": "Quick and kind"}, http.StatusCreated)
	e.answer(u.tenant, m.Token, map[string]any{"score": 1}, http.StatusConflict)
	if q := contracttest.Decode[surveys.Question](e.want(e.do(portalUser(u.tenant), "GET", "/portal/v1/surveys/"+m.Token, nil), 200)); !q.Answered {
		t.Fatal("the answered survey's question does not say so")
	}
	if st := e.caseStatus(u, c.ID); st != "solved" {
		t.Fatalf("a good score moved the case to %s", st)
	}

	// Forged, expired, another tenant's: 404, no detail.
	links := surveys.NewLinks(surveyKey)
	other := uuid.NewString()
	for name, token := range map[string]string{
		"forged":         m.Token[:len(m.Token)-2] + "xx",
		"unsigned":       "nothing",
		"expired":        links.Sign(u.tenant, id, time.Now().Add(-time.Minute)),
		"other key":      surveys.NewLinks([]byte(strings.Repeat("o", 32))).Sign(u.tenant, id, time.Now().Add(time.Hour)),
		"unknown survey": links.Sign(u.tenant, uuid.NewString(), time.Now().Add(time.Hour)),
	} {
		r := e.answer(u.tenant, token, map[string]any{"score": 3}, http.StatusNotFound)
		if p := contracttest.Decode[problemBody](r); strings.Contains(p.Detail, "expired") || strings.Contains(p.Detail, "signature") {
			t.Errorf("%s: the 404 says why: %s", name, p.Detail)
		}
		e.want(e.do(portalUser(u.tenant), "GET", "/portal/v1/surveys/"+token, nil), http.StatusNotFound)
	}
	e.answer(other, m.Token, map[string]any{"score": 3}, http.StatusNotFound)
	e.answer(other, links.Sign(other, id, time.Now().Add(time.Hour)), map[string]any{"score": 3}, http.StatusNotFound)

	// A low score reopens the solved case and asks for an alert.
	low := e.openMailCase(u, "bo@customer.example", "Still broken", "", "")
	e.solve(u, low.ID)
	e.waitSurvey(low.ID)
	e.sendSurveys()
	lm := e.nextSurvey()
	e.answer(u.tenant, lm.Token, map[string]any{"score": 1, "comment": "Nothing works"}, http.StatusCreated)
	if st := e.caseStatus(u, low.ID); st != "open" {
		t.Fatalf("a low score left the case %s", st)
	}

	// Solving it again mails no second survey; nor does a case without
	// a requester's address get one.
	e.solve(u, low.ID)
	bare := e.createCase(u, map[string]any{"subject": "Phoned in"})
	e.solve(u, bare.ID)
	e.waitStatusChanges(u.tenant, 5) // solved, solved, reopened, solved again, solved

	list := contracttest.Decode[surveys.Page](e.want(e.do(u, "GET", "/v1/surveys?kind=csat", nil), http.StatusOK))
	if len(list.Items) != 2 || list.Items[0].CaseID == nil || *list.Items[0].CaseID != low.ID || *list.Items[0].Score != 1 ||
		!list.Items[0].Low || *list.Items[1].Score != 5 || list.Items[1].Comment != "Quick and kind" {
		t.Fatalf("surveys %+v", list.Items)
	}

	var answered []surveys.Answered
	var all []events.Event
	for _, ev := range e.published() {
		if ev.TenantID != u.tenant {
			continue
		}
		all = append(all, ev)
		if ev.Type == "dev.rapport.support.survey.answered.v1" {
			var a surveys.Answered
			if err := json.Unmarshal(ev.Data, &a); err != nil {
				t.Fatal(err)
			}
			answered = append(answered, a)
		}
	}
	if len(answered) != 2 || answered[0].Low || answered[0].Alert || answered[0].Reopened ||
		!answered[1].Low || !answered[1].Alert || !answered[1].Reopened {
		t.Fatalf("survey.answered %+v", answered)
	}
	contracttest.ValidateEvents(t, "api/events", all)
}
