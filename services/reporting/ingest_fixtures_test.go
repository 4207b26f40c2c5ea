package reporting_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
)

// schemaEvent is an event of typ with payload p, as a fixture publishes it.
func schemaEvent(t *testing.T, typ string, p any) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/test", typ, uuid.NewString(), uuid.NewString(), p)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestIngestSalesFixturesMatchSchemas: every sales fixture's payload, with
// its optional fields set and left out, is valid against its event type's
// JSON Schema in services/sales/api/events.
func TestIngestSalesFixturesMatchSchemas(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	full := lead{ID: uuid.NewString(), Status: "qualified", Source: "web", CampaignID: uuid.NewString(), Owner: "u1", Team: "t1",
		Rating: "hot", Score: 40, Created: at, Version: 3}
	converted := full
	converted.Converted, converted.ContactID, converted.AccountID, converted.OpportunityID = at.Add(time.Hour), uuid.NewString(), uuid.NewString(), uuid.NewString()
	bare := lead{ID: uuid.NewString(), Created: at}
	stage := stageRef{Pipeline: uuid.NewString(), Stage: uuid.NewString(), Name: "Proposal", Kind: "open"}
	o := opp{ID: uuid.NewString(), Name: "Deal", Currency: "EUR", Owner: "u1", Team: "t1", Account: uuid.NewString(),
		PrimaryContact: uuid.NewString(), Category: "commit", CloseDate: "2026-04-30", Stage: stage,
		Contacts: []string{uuid.NewString()}, Amount: 123450, Exponent: 2, Probability: 40, Created: at, Updated: at.Add(time.Hour), Version: 2}
	won := o
	won.Closed, won.Stage = at.Add(2*time.Hour), stageRef{Pipeline: stage.Pipeline, Stage: uuid.NewString(), Name: "Won", Kind: "won"}
	var evs []events.Event
	for _, verb := range []string{"created", "updated", "converted", "deleted", "restored"} {
		for _, l := range []lead{full, converted, bare} {
			evs = append(evs, schemaEvent(t, salesType("lead", verb), leadPayload(verb, l)))
		}
	}
	for _, verb := range []string{"created", "updated", "won", "lost", "deleted", "restored"} {
		for _, x := range []opp{o, won, {ID: uuid.NewString(), Created: at}} {
			evs = append(evs, schemaEvent(t, salesType("opportunity", verb), oppPayload(verb, x)))
		}
	}
	move := oppPayload("stage_changed", won)
	evs = append(evs,
		schemaEvent(t, salesType("opportunity", "stage_changed"), map[string]any{"opportunity": move,
			"from": stagePayload(stage, stage.Pipeline), "to": stagePayload(won.Stage, stage.Pipeline), "movedBy": "u1"}),
		schemaEvent(t, salesType("opportunity", "stage_changed"), map[string]any{"opportunity": oppPayload("stage_changed", opp{ID: uuid.NewString(), Created: at}),
			"from": stagePayload(stageRef{}, stage.Pipeline), "to": stagePayload(stageRef{}, stage.Pipeline), "movedBy": ""}))
	stages := []stageRef{{Stage: uuid.NewString(), Name: "Open", Kind: "open"}, {Stage: uuid.NewString(), Name: "Won", Kind: "won"},
		{Stage: uuid.NewString(), Name: "Lost", Kind: "lost"}}
	for _, verb := range []string{"created", "updated"} {
		evs = append(evs, schemaEvent(t, salesType("pipeline", verb), withChanged(pipelinePayload(uuid.NewString(), "Sales", stages, 2), verb)))
	}
	evs = append(evs,
		schemaEvent(t, salesType("forecast", "overridden"), forecastPayload("u1", "", "2026-03", "commit", 5000, "EUR", 2, at)),
		schemaEvent(t, salesType("forecast", "overridden"), forecastPayload("", "t1", "2026-Q1", "bestCase", 0, "JPY", 0, at)))
	contracttest.ValidateEvents(t, "../sales/api/events", evs)
}

// TestIngestContactsFixturesMatchSchemas: every contacts fixture's
// payload is valid against its event type's JSON Schema in
// services/contacts/api/events.
func TestIngestContactsFixturesMatchSchemas(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	c := contact{ID: uuid.NewString(), Account: uuid.NewString(), Owner: "u1", Team: "t1", Source: "web", Stage: "lead",
		Name: "Ada Lovelace", Created: at, Updated: at.Add(time.Hour), Version: 2}
	a := account{ID: uuid.NewString(), Name: "Acme", Industry: "retail", Owner: "u1", Team: "t1", Created: at, Version: 2}
	var evs []events.Event
	for _, verb := range []string{"created", "updated", "deleted", "restored"} {
		for _, x := range []contact{c, {ID: uuid.NewString(), Created: at}} {
			evs = append(evs, schemaEvent(t, contactsType("contact", verb), contactPayload(verb, x)))
		}
		for _, x := range []account{a, {ID: uuid.NewString(), Created: at}} {
			evs = append(evs, schemaEvent(t, contactsType("account", verb), accountPayload(verb, x)))
		}
	}
	evs = append(evs,
		schemaEvent(t, contactsType("contact", "merged"), map[string]any{"winner": contactPayload("merged", c), "loserId": uuid.NewString(), "mergedFields": []string{}}),
		schemaEvent(t, contactsType("account", "merged"), map[string]any{"winner": accountPayload("merged", a), "loserId": uuid.NewString(), "mergedFields": []string{}}),
		schemaEvent(t, contactsType("contact", "erased"), map[string]any{"id": c.ID, "tenant": uuid.NewString(), "erasedAt": at, "erasedBy": "u1"}))
	for _, verb := range []string{"created", "updated", "completed", "deleted"} {
		for _, x := range []activity{
			{ID: uuid.NewString(), Type: "call", Owner: "u1", Team: "t1", Contact: uuid.NewString(), Account: uuid.NewString(), Occurred: at, Version: 2},
			{ID: uuid.NewString(), Type: "task", Owner: "u1", Occurred: at, Completed: true},
			{ID: uuid.NewString(), Occurred: at},
		} {
			evs = append(evs, schemaEvent(t, contactsType("activity", verb), activityPayload(verb, x)))
		}
	}
	contracttest.ValidateEvents(t, "../contacts/api/events", evs)
}

// withChanged is p as a publish of verb sends it.
func withChanged(p map[string]any, verb string) map[string]any {
	markChanged(p, verb)
	return p
}
