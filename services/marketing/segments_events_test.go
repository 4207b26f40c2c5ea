package marketing_test

import (
	"encoding/json"
	"slices"
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
	e.want(e.do(u, "PATCH", "/v1/segments/"+seg.ID, map[string]any{"name": "All leads"}, "If-Match", `"2"`), 200)
	e.want(e.do(u, "DELETE", "/v1/segments/"+seg.ID, nil), 204)

	var mine []events.Event
	var changed [][]string
	seen := map[string]bool{}
	for _, ev := range e.published() {
		if strings.HasPrefix(ev.Type, "dev.rapport.marketing.segment.") && ev.Subject == seg.ID {
			mine = append(mine, ev)
			seen[ev.Type] = true
		}
		if ev.Type == "dev.rapport.marketing.segment.updated.v1" && ev.Subject == seg.ID {
			var upd struct {
				Changed []string `json:"changed"`
			}
			if err := json.Unmarshal(ev.Data, &upd); err != nil {
				t.Fatal(err)
			}
			changed = append(changed, upd.Changed)
		}
	}
	if len(changed) != 2 || !slices.Equal(changed[0], []string{"filter", "memberCount"}) || !slices.Equal(changed[1], []string{"name"}) {
		t.Errorf("the updates' changed fields %v, want [filter memberCount] then [name]", changed)
	}
	for _, verb := range []string{"created", "updated", "deleted", "entered", "left"} {
		if !seen["dev.rapport.marketing.segment."+verb+".v1"] {
			t.Errorf("no segment.%s published", verb)
		}
	}
	contracttest.ValidateEvents(t, "api/events", mine)
}
