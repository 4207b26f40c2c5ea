package support_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/surveys"
)

// TestSurveysFollowContacts: a merged contact's surveys name the
// survivor; an erased contact's surveys not sent yet go and the others
// lose their address, name and comment, their scores still counted.
func TestSurveysFollowContacts(t *testing.T) {
	e := newSurveyEnv(t)
	u := newUser(uuid.NewString())
	settings := surveySettings(surveys.ActionAlert, false)
	e.setSurveys(u, settings)
	erased, loser, winner := uuid.NewString(), uuid.NewString(), uuid.NewString()
	open := func(address, contact string) string {
		first := cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorCustomer, AuthorEmail: address, AuthorName: "Ada",
			Channel: "email", BodyText: "Help"}
		c, err := e.caseService().Open(context.Background(), u.tenant, cases.NewCase{Case: cases.Case{Subject: "Help", Channel: "email",
			ContactID: contact}, First: &first}, "system:email")
		if err != nil {
			t.Fatal(err)
		}
		e.solve(u, c.ID)
		return e.waitSurvey(c.ID)
	}
	answered := open("ada@customer.example", erased)
	e.sendSurveys()
	e.answer(u.tenant, e.nextSurvey().Token, map[string]any{"score": 2, "comment": "I am Ada, call me on 555"}, http.StatusCreated)
	settings["csatDelayMinutes"] = 600
	e.setSurveys(u, settings)
	pending := open("ada.other@customer.example", erased)
	merged := open("bo@customer.example", loser)

	now := time.Now().UTC().Format(time.RFC3339Nano)
	evs := []events.Event{
		contactsEventOf(t, contactevents.TypeContactMerged, winner, u.tenant, map[string]any{
			"winner": map[string]any{"id": winner, "ownerId": "user-1", "tags": []string{}, "customFields": map[string]any{},
				"createdAt": now, "updatedAt": now, "version": 3, "displayName": "Bo"}, "loserId": loser, "mergedFields": []string{}}),
		contactsEventOf(t, contactevents.TypeContactErased, erased, u.tenant, map[string]any{"id": erased, "tenant": u.tenant,
			"erasedAt": now, "erasedBy": "user-1"}),
	}
	pub := events.NewPublisher(e.brokers)
	defer pub.Close()
	for _, ev := range evs {
		if err := pub.Publish(t.Context(), ev.Message(registry.MustTopic("", registry.Contacts))); err != nil {
			t.Fatal(err)
		}
	}
	for _, ev := range evs {
		testkit.Eventually(t, 45*time.Second, "event "+ev.ID+" consumed", func() (bool, string) {
			var n int
			if err := e.admin.Get(&n, "SELECT count(*) FROM inbox WHERE id = $1 AND consumer_group = $2", ev.ID, surveys.ContactsGroup); err != nil {
				t.Fatal(err)
			}
			return n == 1, ""
		})
	}

	got := map[string]surveys.Survey{}
	for _, s := range contracttest.Decode[surveys.Page](e.want(e.do(u, "GET", "/v1/surveys", nil), http.StatusOK)).Items {
		got[s.ID] = s
	}
	if _, ok := got[pending]; ok || len(got) != 2 {
		t.Fatalf("the erased contact's survey not sent is still there: %+v", got)
	}
	if a := got[answered]; a.Address != "" || a.Name != "" || a.Comment != "" || a.ContactID != nil || a.Score == nil || *a.Score != 2 {
		t.Fatalf("the erased contact's answered survey %+v", a)
	}
	if m := got[merged]; m.ContactID == nil || *m.ContactID != winner || m.Address != "bo@customer.example" {
		t.Fatalf("the merged contact's survey %+v", m)
	}
	r := contracttest.Decode[surveys.Results](e.want(e.do(u, "GET", "/v1/surveys/results?kind=csat", nil), http.StatusOK))
	if r.Total.Answered != 1 || r.Total.Average == nil || *r.Total.Average != 2 {
		t.Fatalf("results after the erasure %+v", r.Total)
	}
}
