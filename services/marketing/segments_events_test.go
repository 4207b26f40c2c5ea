package marketing_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
)

// TestSegmentEventsMatchTheirSchemas: every segment event the service
// publishes (created, updated, deleted, entered, left) matches its JSON
// Schema in api/events.
func TestSegmentEventsMatchTheirSchemas(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ada := person{id: uuid.NewString(), first: "Ada", email: "ada@example.com", stage: "lead", version: 1}
	e.sendContacts(contactEvent(t, "created", u.tenant, ada))
	seg := e.createSegment(u, map[string]any{"name": "Leads", "kind": "dynamic", "description": "all of them",
		"filter": map[string]any{"field": "lifecycleStage", "op": "eq", "value": "lead"}})
	e.want(e.do(u, "PATCH", "/v1/segments/"+seg.ID, map[string]any{"filter": map[string]any{"field": "lifecycleStage", "op": "eq",
		"value": "customer"}}, "If-Match", `"1"`), 200)
	e.want(e.do(u, "DELETE", "/v1/segments/"+seg.ID, nil), 204)

	var mine []events.Event
	seen := map[string]bool{}
	for _, ev := range e.published() {
		if strings.HasPrefix(ev.Type, "dev.rapport.marketing.segment.") && ev.Subject == seg.ID {
			mine = append(mine, ev)
			seen[ev.Type] = true
		}
	}
	for _, verb := range []string{"created", "updated", "deleted", "entered", "left"} {
		if !seen["dev.rapport.marketing.segment."+verb+".v1"] {
			t.Errorf("no segment.%s published", verb)
		}
	}
	contracttest.ValidateEvents(t, "api/events", mine)
}
