package support_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/customfields"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// TestCaseEventsMatchTheirSchemas publishes every event of package cases
// (the case, case_entry and custom_field verbs of the catalogue) and
// validates each against its JSON Schema in api/events.
func TestCaseEventsMatchTheirSchemas(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	field := contracttest.Decode[customfields.Field](e.want(e.do(u, "POST", "/v1/case-custom-fields",
		map[string]any{"key": "sku", "label": "SKU", "type": "text"}), http.StatusCreated))
	e.want(e.do(u, "PATCH", "/v1/case-custom-fields/"+field.ID, map[string]any{"label": "Product SKU"}, "If-Match", kitx.ETag(field.Version)), http.StatusOK)
	a := e.createCase(u, map[string]any{"subject": "A", "customFields": map[string]any{"sku": "X-1"}, "links": []map[string]any{{"type": "opportunity", "id": uuid.NewString()}}})
	b := e.createCase(u, map[string]any{"subject": "B"})
	e.postEntry(u, a.ID, "replies", map[string]any{"bodyHtml": "<p>hello</p>"}, http.StatusCreated)
	e.want(e.do(u, "POST", "/v1/cases/"+b.ID+"/merge", map[string]any{"intoCaseId": a.ID}), http.StatusOK)
	e.want(e.do(u, "DELETE", "/v1/cases/"+a.ID, nil), http.StatusNoContent)
	e.want(e.do(u, "DELETE", "/v1/case-custom-fields/"+field.ID, nil), http.StatusNoContent)

	published := e.published()
	var seen []string
	for _, ev := range published {
		seen = append(seen, strings.TrimSuffix(strings.TrimPrefix(ev.Type, "dev.rapport.support."), ".v1"))
	}
	for _, entity := range []string{supportdb.EntityCase, supportdb.EntityCaseEntry, supportdb.EntityCustomField} {
		for _, verb := range supportdb.Events.Verbs[entity] {
			if entity == supportdb.EntityCase && slices.Contains([]string{"sla_warning", "sla_breached", "escalated"}, verb) {
				continue // package sla's
			}
			if !slices.Contains(seen, entity+"."+verb) {
				t.Errorf("no %s.%s published: %v", entity, verb, seen)
			}
		}
	}
	contracttest.ValidateEvents(t, "api/events", published)
}
