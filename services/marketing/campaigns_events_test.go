package marketing_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/kitx"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// TestCampaignAndTemplateEventsMatchTheirSchemas publishes every event of
// packages campaigns and templates (the campaign, campaign_member and
// template verbs of the catalogue) and validates each against its JSON
// Schema in api/events.
func TestCampaignAndTemplateEventsMatchTheirSchemas(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	prog := e.createCampaign(u, map[string]any{"name": "Programme", "type": "other"})
	c := e.createCampaign(u, map[string]any{"name": "Mail", "type": "email", "parentId": prog.ID, "budget": map[string]any{"amount": "99.90", "currency": "USD"},
		"actualCost": map[string]any{"amount": "12", "currency": "USD"}, "startsOn": "2026-01-01", "endsOn": "2026-02-01"})
	e.want(e.do(u, "PATCH", "/v1/campaigns/"+c.ID, map[string]any{"status": "active", "budget": nil}, "If-Match", kitx.ETag(c.Version)), http.StatusOK)
	ada := e.audienceContact(u.tenant, map[string]string{"first_name": "Ada", "email": "ada@example.com"})
	e.want(e.do(u, "POST", "/v1/campaigns/"+c.ID+"/members", map[string]any{"contactIds": []string{ada}}), http.StatusOK)
	e.want(e.do(u, "PUT", "/v1/campaigns/"+c.ID+"/members/"+ada+"/status", map[string]any{"status": "responded"}), http.StatusOK)
	e.want(e.do(u, "DELETE", "/v1/campaigns/"+c.ID, nil), http.StatusNoContent)

	tpl := e.createTemplate(u, map[string]any{"name": "T", "channel": "email", "subject": "Hi", "html": "<p>Hi</p>"})
	e.want(e.do(u, "PATCH", "/v1/templates/"+tpl.ID, map[string]any{"text": "Hi"}, "If-Match", kitx.ETag(tpl.Version)), http.StatusOK)
	e.want(e.do(u, "DELETE", "/v1/templates/"+tpl.ID, nil), http.StatusNoContent)

	published := e.publishedOf("dev.rapport.marketing.campaign.", "dev.rapport.marketing.campaign_member.", "dev.rapport.marketing.template.")
	var seen []string
	for _, ev := range published {
		seen = append(seen, strings.TrimSuffix(strings.TrimPrefix(ev.Type, "dev.rapport.marketing."), ".v1"))
	}
	for _, entity := range []string{marketingdb.EntityCampaign, marketingdb.EntityCampaignMember, marketingdb.EntityTemplate} {
		for _, verb := range marketingdb.Events.Verbs[entity] {
			if !slices.Contains(seen, entity+"."+verb) {
				t.Errorf("no %s.%s published: %v", entity, verb, seen)
			}
		}
	}
	contracttest.ValidateEvents(t, "api/events", published)
}
