package e2e

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/ids"
)

// probe is one attempt of a caller of one tenant on the victim tenant's
// records.
type probe struct {
	name   string
	method string
	path   string // with the victim's ids filled in
	body   any
	header map[string]string
	gate   string // permission the gateway checks
	svc    string // permission the service checks ("" = the gate's, none beyond it)
	want   int    // status when the caller holds both
	// echoes is set when the request names the victim's ids, which the
	// answer may repeat (a 404's instance, a bulk result's notFound):
	// then only the markers are checked, not the ids.
	echoes bool
	// check inspects a successful answer beyond the markers.
	check func(t *testing.T, body []byte)
}

const (
	read  = "contacts:read"
	write = "contacts:write"
	admin = "contacts:admin"

	salesRead  = "sales:read"
	salesWrite = "sales:write"
	salesAdmin = "sales:admin"
)

// probes lists what a caller tries on victim v's fixture: every operation
// of every service's api/openapi.yaml at least once (TestProbesCoverRoutes).
// A create names new records afresh on each call, as each caller runs its
// own probes.
func probes(v fixture) []probe {
	m := letters(8)
	ifMatch := map[string]string{"If-Match": `"1"`} // the victim's records are at version 1
	q := url.QueryEscape
	filter := func(field, value string) string {
		b, _ := json.Marshal(map[string]string{"field": field, "op": "eq", "value": value})
		return q(string(b))
	}
	lead := map[string]any{"field": "lifecycleStage", "op": "eq", "value": "lead"}
	none := func(t *testing.T, body []byte) { // a bulk change must touch nothing
		var r struct {
			Updated int `json:"updated"`
		}
		if err := json.Unmarshal(body, &r); err != nil || r.Updated != 0 {
			t.Errorf("bulk answer %s: updated %d, want 0", body, r.Updated)
		}
	}
	noMatch := func(t *testing.T, body []byte) { // a lookup finds none of the other tenant's records
		var r struct {
			Contacts []json.RawMessage `json:"contacts"`
			Accounts []json.RawMessage `json:"accounts"`
		}
		if err := json.Unmarshal(body, &r); err != nil || len(r.Contacts)+len(r.Accounts) != 0 {
			t.Errorf("lookup answer %s: want no contacts and no accounts", body)
		}
	}
	unlinked := func(t *testing.T, body []byte) { // a call is linked to no record of the other tenant
		var r struct {
			ContactID *string `json:"contactId"`
			AccountID *string `json:"accountId"`
		}
		if err := json.Unmarshal(body, &r); err != nil || r.ContactID != nil || r.AccountID != nil {
			t.Errorf("logged call %s: want it linked to nothing", body)
		}
	}
	return append([]probe{
		{name: "get contact", method: "GET", path: "/v1/contacts/" + v.ContactID, gate: read, want: 404, echoes: true},
		{name: "get account", method: "GET", path: "/v1/accounts/" + v.AccountID, gate: read, want: 404, echoes: true},
		{name: "get tag", method: "GET", path: "/v1/tags/" + v.TagID, gate: read, want: 404, echoes: true},
		{name: "get custom field", method: "GET", path: "/v1/custom-fields/" + v.FieldID, gate: read, want: 404, echoes: true},
		{name: "get saved view", method: "GET", path: "/v1/saved-views/" + v.ViewID, gate: read, want: 404, echoes: true},
		{name: "get duplicate scan", method: "GET", path: "/v1/duplicate-scans/" + v.ScanID, gate: read, svc: admin, want: 404, echoes: true},
		// An import is its creator's (and the tenant's administrators'):
		// another tenant's is not found; its error report holds the file's
		// rows.
		{name: "get import", method: "GET", path: "/v1/imports/" + v.ImportID, gate: read, svc: write, want: 404, echoes: true},
		{name: "import errors", method: "GET", path: "/v1/imports/" + v.ImportID + "/errors", gate: read, svc: write, want: 404, echoes: true},
		{name: "list imports", method: "GET", path: "/v1/imports?limit=200", gate: read, svc: write, want: 200},
		{name: "cancel import", method: "DELETE", path: "/v1/imports/" + v.ImportID, gate: write, want: 404, echoes: true},
		{name: "start import", method: "POST", path: "/v1/imports", body: csvUpload("Name,Email\nProbe" + m + ",probe." + m + "@example.com\n"), gate: write, want: 202},
		{name: "preview import", method: "POST", path: "/v1/imports/preview", body: csvUpload("Name,Email\nProbe,probe@example.com\n"), gate: write, want: 200},
		{name: "duplicate scan pairs", method: "GET", path: "/v1/duplicate-scans/" + v.ScanID + "/pairs", gate: read, svc: admin, want: 404, echoes: true},
		{name: "contact duplicates", method: "GET", path: "/v1/contacts/" + v.ContactID + "/duplicates", gate: read, want: 404, echoes: true},
		{name: "account duplicates", method: "GET", path: "/v1/accounts/" + v.AccountID + "/duplicates", gate: read, want: 404, echoes: true},
		{name: "contact consent history", method: "GET", path: "/v1/contacts/" + v.ContactID + "/consent-history", gate: read, want: 404, echoes: true},
		{name: "contact timeline", method: "GET", path: "/v1/contacts/" + v.ContactID + "/timeline", gate: read, want: 404, echoes: true},
		// A data subject's export and erasure are the tenant's
		// administrators' duties.
		{name: "contact personal data", method: "GET", path: "/v1/contacts/" + v.ContactID + "/personal-data", gate: read, svc: admin, want: 404, echoes: true},
		{name: "erase contact", method: "POST", path: "/v1/contacts/" + v.ContactID + "/erase", body: map[string]any{"reason": "probe"}, gate: write, svc: admin, want: 404, echoes: true},
		{name: "account timeline", method: "GET", path: "/v1/accounts/" + v.AccountID + "/timeline?type=activity,record,sales", gate: read, want: 404, echoes: true},
		{name: "list contacts", method: "GET", path: "/v1/contacts?limit=200", gate: read, want: 200},
		{name: "list deleted contacts", method: "GET", path: "/v1/contacts?deleted=true&limit=200", gate: read, want: 200},
		{name: "list accounts", method: "GET", path: "/v1/accounts?limit=200", gate: read, want: 200},
		{name: "list tags", method: "GET", path: "/v1/tags", gate: read, want: 200},
		{name: "list custom fields", method: "GET", path: "/v1/custom-fields", gate: read, want: 200},
		{name: "list saved views", method: "GET", path: "/v1/saved-views", gate: read, want: 200},
		{name: "get settings", method: "GET", path: "/v1/settings", gate: read, want: 200},
		{name: "list contacts through the view", method: "GET", path: "/v1/contacts?view=" + v.ViewID, gate: read, want: 404, echoes: true},
		{name: "export contacts through the view", method: "GET", path: "/v1/contacts/export?view=" + v.ViewID, gate: read, want: 404, echoes: true},
		{name: "search contacts by name", method: "GET", path: "/v1/contacts?q=" + q(v.FirstName), gate: read, want: 200, echoes: true},
		{name: "search contacts by email", method: "GET", path: "/v1/contacts?q=" + q(v.Email), gate: read, want: 200, echoes: true},
		{name: "search accounts by name", method: "GET", path: "/v1/accounts?q=" + q(v.AccountName), gate: read, want: 200, echoes: true},
		{name: "filter contacts by email", method: "GET", path: "/v1/contacts?filter=" + filter("emails", v.Email), gate: read, want: 200, echoes: true},
		{name: "filter accounts by domain", method: "GET", path: "/v1/accounts?filter=" + filter("domain", v.Domain), gate: read, want: 200, echoes: true},
		{name: "search body contacts", method: "POST", path: "/v1/contacts/search", body: map[string]any{"q": v.FirstName}, gate: read, want: 200, echoes: true},
		{name: "search body accounts", method: "POST", path: "/v1/accounts/search", body: map[string]any{"q": v.AccountName}, gate: read, want: 200, echoes: true},
		{name: "export contacts", method: "GET", path: "/v1/contacts/export", gate: read, want: 200},
		{name: "export contacts as NDJSON", method: "GET", path: "/v1/contacts/export?format=ndjson", gate: read, want: 200},
		{name: "export contacts by name", method: "GET", path: "/v1/contacts/export?q=" + q(v.FirstName), gate: read, want: 200, echoes: true},
		{name: "export accounts", method: "GET", path: "/v1/accounts/export", gate: read, want: 200},
		// Creates in the caller's own tenant: references to the victim's
		// records are unknown there. A saved view is its owner's saved query:
		// the service lets a reader create, change and delete its own.
		{name: "create contact on the account", method: "POST", path: "/v1/contacts", body: map[string]any{"firstName": "Probe" + m, "accountId": v.AccountID}, gate: write, want: 400, echoes: true},
		{name: "create account under the account", method: "POST", path: "/v1/accounts", body: map[string]any{"name": "Probe" + m, "parentAccountId": v.AccountID}, gate: write, want: 400, echoes: true},
		{name: "create tag", method: "POST", path: "/v1/tags", body: map[string]any{"name": "probe" + m}, gate: write, want: 201},
		{name: "create custom field", method: "POST", path: "/v1/custom-fields", body: map[string]any{"entity": "contact", "key": "probe_" + m, "label": "Probe", "type": "text"}, gate: write, svc: admin, want: 201},
		{name: "create saved view", method: "POST", path: "/v1/saved-views", body: map[string]any{"entity": "contact", "name": "Probe " + m, "filter": lead}, gate: read, svc: read, want: 201},
		{name: "put settings", method: "PUT", path: "/v1/settings", body: map[string]any{"defaultRegion": "US"}, gate: write, svc: admin, want: 200}, // as they were
		{name: "start duplicate scan", method: "POST", path: "/v1/duplicate-scans", body: map[string]any{"entity": "contact"}, gate: write, svc: admin, want: 202},
		{name: "patch contact", method: "PATCH", path: "/v1/contacts/" + v.ContactID, body: map[string]any{"jobTitle": "pwned"}, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "delete contact", method: "DELETE", path: "/v1/contacts/" + v.ContactID, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "restore contact", method: "POST", path: "/v1/contacts/" + v.ContactID + "/restore", gate: write, want: 404, echoes: true},
		{name: "merge contacts", method: "POST", path: "/v1/contacts/" + v.ContactID + "/merge", body: map[string]any{"loserId": v.Contact2ID}, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "bulk tag contacts by id", method: "POST", path: "/v1/contacts/tags", body: map[string]any{"ids": []string{v.ContactID}, "add": []string{"pwned"}}, gate: write, want: 200, echoes: true, check: none},
		{name: "bulk tag contacts by q", method: "POST", path: "/v1/contacts/tags", body: map[string]any{"q": v.FirstName, "add": []string{"pwned"}}, gate: write, want: 200, echoes: true, check: none},
		{name: "patch account", method: "PATCH", path: "/v1/accounts/" + v.AccountID, body: map[string]any{"industry": "pwned"}, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "delete account", method: "DELETE", path: "/v1/accounts/" + v.AccountID, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "restore account", method: "POST", path: "/v1/accounts/" + v.AccountID + "/restore", gate: write, want: 404, echoes: true},
		{name: "merge accounts", method: "POST", path: "/v1/accounts/" + v.AccountID + "/merge", body: map[string]any{"loserId": ids.New()}, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "bulk tag accounts by id", method: "POST", path: "/v1/accounts/tags", body: map[string]any{"ids": []string{v.AccountID}, "add": []string{"pwned"}}, gate: write, want: 200, echoes: true, check: none},
		{name: "patch tag", method: "PATCH", path: "/v1/tags/" + v.TagID, body: map[string]any{"description": "pwned"}, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "delete tag", method: "DELETE", path: "/v1/tags/" + v.TagID, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "patch custom field", method: "PATCH", path: "/v1/custom-fields/" + v.FieldID, body: map[string]any{"label": "pwned"}, header: ifMatch, gate: write, svc: admin, want: 404, echoes: true},
		{name: "delete custom field", method: "DELETE", path: "/v1/custom-fields/" + v.FieldID, header: ifMatch, gate: write, svc: admin, want: 404, echoes: true},
		{name: "get activity", method: "GET", path: "/v1/activities/" + v.ActivityID, gate: read, want: 404, echoes: true},
		{name: "list activities", method: "GET", path: "/v1/activities?limit=200", gate: read, want: 200},
		{name: "list the contact's activities", method: "GET", path: "/v1/activities?contact=" + v.ContactID, gate: read, want: 200, echoes: true},
		{name: "list the team's activities", method: "GET", path: "/v1/activities?team=" + v.Team, gate: read, want: 200, echoes: true},
		{name: "my open tasks", method: "GET", path: "/v1/activities/my-tasks", gate: read, want: 200},
		{name: "the team's overdue tasks", method: "GET", path: "/v1/activities/overdue?team=" + v.Team, gate: read, want: 200, echoes: true},
		{name: "the team's calendar", method: "GET", path: "/v1/activities/calendar?from=2098-12-01T00:00:00Z&to=2099-02-01T00:00:00Z&team=" + v.Team,
			gate: read, want: 200, echoes: true},
		{name: "create activity on the contact", method: "POST", path: "/v1/activities", body: map[string]any{"type": "note", "contactId": v.ContactID},
			gate: write, want: 400, echoes: true},
		{name: "patch activity", method: "PATCH", path: "/v1/activities/" + v.ActivityID, body: map[string]any{"subject": "pwned"}, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "delete activity", method: "DELETE", path: "/v1/activities/" + v.ActivityID, header: ifMatch, gate: write, want: 404, echoes: true},
		{name: "complete task", method: "POST", path: "/v1/activities/" + v.ActivityID + "/complete", gate: write, want: 404, echoes: true},
		{name: "snooze reminder", method: "POST", path: "/v1/activities/" + v.ActivityID + "/snooze", body: map[string]any{"minutes": 5}, gate: write, want: 404, echoes: true},
		{name: "look up the contact's phone", method: "GET", path: "/v1/lookup/phone/" + url.PathEscape(v.Phone), gate: read, want: 200, echoes: true, check: noMatch},
		{name: "log a call from the contact's phone", method: "POST", path: "/v1/calls", body: map[string]any{"externalId": "probe-" + m, "direction": "inbound",
			"from": v.Phone, "startedAt": "2026-03-02T09:00:00Z"}, gate: write, want: 201, echoes: true, check: unlinked},
		{name: "patch saved view", method: "PATCH", path: "/v1/saved-views/" + v.ViewID, body: map[string]any{"name": "pwned"}, header: ifMatch, gate: read, svc: read, want: 404, echoes: true},
		{name: "delete saved view", method: "DELETE", path: "/v1/saved-views/" + v.ViewID, gate: read, svc: read, want: 404, echoes: true},
		// Pipelines are the tenant's sales configuration: read with
		// sales:read, changed with sales:admin (the gateway asks
		// sales:write of every write).
		{name: "list pipelines", method: "GET", path: "/v1/pipelines", gate: salesRead, want: 200},
		{name: "get pipeline", method: "GET", path: "/v1/pipelines/" + v.PipelineID, gate: salesRead, want: 404, echoes: true},
		{name: "get default pipeline", method: "GET", path: "/v1/pipelines/" + v.DefaultPipelineID, gate: salesRead, want: 404, echoes: true},
		{name: "create pipeline", method: "POST", path: "/v1/pipelines", body: map[string]any{"name": "Probe " + m, "stages": []map[string]any{
			{"name": "Open", "kind": "open", "probability": 10}, {"name": "Won", "kind": "won"}, {"name": "Lost", "kind": "lost"}}},
			gate: salesWrite, svc: salesAdmin, want: 201},
		{name: "patch pipeline", method: "PATCH", path: "/v1/pipelines/" + v.PipelineID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "delete pipeline", method: "DELETE", path: "/v1/pipelines/" + v.PipelineID, header: ifMatch, gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "delete default pipeline", method: "DELETE", path: "/v1/pipelines/" + v.DefaultPipelineID, gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "pipeline board", method: "GET", path: "/v1/pipelines/" + v.PipelineID + "/board", gate: salesRead, want: 404, echoes: true},
		{name: "default pipeline board", method: "GET", path: "/v1/pipelines/" + v.DefaultPipelineID + "/board", gate: salesRead, want: 404, echoes: true},
		// Opportunities: read with sales:read, changed with sales:write,
		// within the caller's record scope.
		{name: "list opportunities", method: "GET", path: "/v1/opportunities?limit=200", gate: salesRead, want: 200},
		{name: "list deleted opportunities", method: "GET", path: "/v1/opportunities?deleted=true&limit=200", gate: salesRead, want: 200},
		{name: "list the pipeline's opportunities", method: "GET", path: "/v1/opportunities?pipelineId=" + v.PipelineID, gate: salesRead, want: 200, echoes: true},
		{name: "get opportunity", method: "GET", path: "/v1/opportunities/" + v.OpportunityID, gate: salesRead, want: 404, echoes: true},
		{name: "opportunity stage history", method: "GET", path: "/v1/opportunities/" + v.OpportunityID + "/stage-history", gate: salesRead, want: 404, echoes: true},
		{name: "create opportunity", method: "POST", path: "/v1/opportunities", body: map[string]any{"name": "Probe " + m}, gate: salesWrite, want: 201},
		{name: "create opportunity in the pipeline", method: "POST", path: "/v1/opportunities", body: map[string]any{"name": "Probe " + m, "pipelineId": v.PipelineID,
			"amount": map[string]any{"minor": 1, "currency": "EUR"}}, gate: salesWrite, want: 400, echoes: true},
		{name: "patch opportunity", method: "PATCH", path: "/v1/opportunities/" + v.OpportunityID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: salesWrite, want: 404, echoes: true},
		{name: "delete opportunity", method: "DELETE", path: "/v1/opportunities/" + v.OpportunityID, header: ifMatch, gate: salesWrite, want: 404, echoes: true},
		{name: "restore opportunity", method: "POST", path: "/v1/opportunities/" + v.OpportunityID + "/restore", gate: salesWrite, want: 404, echoes: true},
		{name: "opportunity line items", method: "GET", path: "/v1/opportunities/" + v.OpportunityID + "/line-items", gate: salesRead, want: 404, echoes: true},
		{name: "set opportunity line items", method: "PUT", path: "/v1/opportunities/" + v.OpportunityID + "/line-items", body: map[string]any{"priceBookId": v.PriceBookID,
			"lineItems": []map[string]any{{"productId": v.ProductID, "quantity": "1"}}}, header: ifMatch, gate: salesWrite, want: 404, echoes: true},
		{name: "list opportunities by the victim's tag", method: "GET", path: "/v1/opportunities?tag=" + q(v.OpportunityTag), gate: salesRead, want: 200},
		// The custom fields of opportunities are the tenant's sales
		// configuration: read with sales:read, changed with sales:admin.
		{name: "list opportunity custom fields", method: "GET", path: "/v1/opportunity-custom-fields", gate: salesRead, want: 200},
		{name: "create opportunity custom field", method: "POST", path: "/v1/opportunity-custom-fields", body: map[string]any{"key": "probe_" + m, "label": "Probe", "type": "text"},
			gate: salesWrite, svc: salesAdmin, want: 201},
		{name: "patch opportunity custom field", method: "PATCH", path: "/v1/opportunity-custom-fields/" + v.OpportunityFieldID, body: map[string]any{"label": "pwned"},
			header: ifMatch, gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "delete opportunity custom field", method: "DELETE", path: "/v1/opportunity-custom-fields/" + v.OpportunityFieldID, header: ifMatch, gate: salesWrite,
			svc: salesAdmin, want: 404, echoes: true},
		// Quotes: read with sales:read, made and moved with sales:write,
		// within the record scope; the thresholds set with sales:admin.
		{name: "list quotes", method: "GET", path: "/v1/quotes?limit=200", gate: salesRead, want: 200},
		{name: "list the victim opportunity's quotes", method: "GET", path: "/v1/quotes?opportunityId=" + v.QuotedOpportunityID, gate: salesRead, want: 200, echoes: true},
		{name: "create quote of the victim's opportunity", method: "POST", path: "/v1/quotes", body: map[string]any{"opportunityId": v.QuotedOpportunityID},
			gate: salesWrite, want: 400, echoes: true},
		{name: "get quote", method: "GET", path: "/v1/quotes/" + v.QuoteID, gate: salesRead, want: 404, echoes: true},
		{name: "get quote revision", method: "GET", path: "/v1/quotes/" + v.QuoteID + "/revisions/1", gate: salesRead, want: 404, echoes: true},
		{name: "quote as HTML", method: "GET", path: "/v1/quotes/" + v.QuoteID + "/html", gate: salesRead, want: 404, echoes: true},
		{name: "quote as PDF", method: "GET", path: "/v1/quotes/" + v.QuoteID + "/pdf", gate: salesRead, want: 404, echoes: true},
		{name: "revise quote", method: "POST", path: "/v1/quotes/" + v.QuoteID + "/revise", body: map[string]any{"comment": "pwned"}, gate: salesWrite, want: 404, echoes: true},
		{name: "submit quote", method: "POST", path: "/v1/quotes/" + v.QuoteID + "/submit", body: map[string]any{"comment": "pwned"}, gate: salesWrite, want: 404, echoes: true},
		{name: "approve quote", method: "POST", path: "/v1/quotes/" + v.QuoteID + "/approve", body: map[string]any{"comment": "pwned"}, gate: salesWrite, want: 404, echoes: true},
		{name: "reject quote", method: "POST", path: "/v1/quotes/" + v.QuoteID + "/reject", body: map[string]any{"comment": "pwned"}, gate: salesWrite, want: 404, echoes: true},
		{name: "send quote", method: "POST", path: "/v1/quotes/" + v.QuoteID + "/send", body: map[string]any{"comment": "pwned"}, gate: salesWrite, want: 404, echoes: true},
		{name: "accept quote", method: "POST", path: "/v1/quotes/" + v.QuoteID + "/accept", body: map[string]any{"comment": "pwned"}, gate: salesWrite, want: 404, echoes: true},
		{name: "decline quote", method: "POST", path: "/v1/quotes/" + v.QuoteID + "/decline", body: map[string]any{"comment": "pwned"}, gate: salesWrite, want: 404, echoes: true},
		{name: "get quote settings", method: "GET", path: "/v1/quotes/settings", gate: salesRead, want: 200},
		{name: "set quote settings", method: "PUT", path: "/v1/quotes/settings", body: map[string]any{"discountPercent": "10"}, gate: salesWrite, svc: salesAdmin, want: 200},
		{name: "get lead settings", method: "GET", path: "/v1/lead-settings", gate: salesRead, want: 200},
		{name: "set lead settings", method: "PUT", path: "/v1/lead-settings", body: map[string]any{"defaultRegion": "DE"}, gate: salesWrite, svc: salesAdmin, want: 200},
		// Leads: read with sales:read, changed with sales:write, within the
		// caller's record scope; their duplicates are found among the
		// caller's tenant's leads only (the victim's lead has its phone).
		{name: "list leads", method: "GET", path: "/v1/leads?limit=200", gate: salesRead, want: 200},
		{name: "list deleted leads", method: "GET", path: "/v1/leads?deleted=true&limit=200", gate: salesRead, want: 200},
		{name: "search leads by the victim's email", method: "GET", path: "/v1/leads?q=" + q(v.LeadEmail), gate: salesRead, want: 200},
		{name: "get lead", method: "GET", path: "/v1/leads/" + v.LeadID, gate: salesRead, want: 404, echoes: true},
		{name: "lead duplicates", method: "GET", path: "/v1/leads/" + v.LeadID + "/duplicates", gate: salesRead, want: 404, echoes: true},
		{name: "create lead", method: "POST", path: "/v1/leads", body: map[string]any{"lastName": "Probe " + m}, gate: salesWrite, want: 201},
		{name: "create lead with the victim's phone", method: "POST", path: "/v1/leads", body: map[string]any{"lastName": "Probe " + m, "phone": v.Phone},
			gate: salesWrite, want: 201},
		{name: "patch lead", method: "PATCH", path: "/v1/leads/" + v.LeadID, body: map[string]any{"lastName": "pwned"}, header: ifMatch,
			gate: salesWrite, want: 404, echoes: true},
		{name: "delete lead", method: "DELETE", path: "/v1/leads/" + v.LeadID, header: ifMatch, gate: salesWrite, want: 404, echoes: true},
		{name: "restore lead", method: "POST", path: "/v1/leads/" + v.LeadID + "/restore", gate: salesWrite, want: 404, echoes: true},
		// Conversion: the victim's lead is not found; the contacts service
		// is called with the caller's own authority, so an opportunity
		// naming the victim's account and contact is refused for them.
		{name: "convert lead", method: "POST", path: "/v1/leads/" + v.LeadID + "/convert", body: map[string]any{}, gate: salesWrite, want: 404, echoes: true},
		{name: "create opportunity on the victim's account and contact", method: "POST", path: "/v1/opportunities",
			body: map[string]any{"name": "Probe " + m, "accountId": v.AccountID, "primaryContactId": v.ContactID}, gate: salesWrite, want: 422, echoes: true},
		{name: "list leads by the victim's tag", method: "GET", path: "/v1/leads?tag=" + q(v.LeadTag), gate: salesRead, want: 200},
		// The custom fields of leads are the tenant's sales configuration:
		// read with sales:read, changed with sales:admin.
		{name: "list lead custom fields", method: "GET", path: "/v1/lead-custom-fields", gate: salesRead, want: 200},
		{name: "create lead custom field", method: "POST", path: "/v1/lead-custom-fields", body: map[string]any{"key": "probe_" + m, "label": "Probe", "type": "text"},
			gate: salesWrite, svc: salesAdmin, want: 201},
		{name: "patch lead custom field", method: "PATCH", path: "/v1/lead-custom-fields/" + v.LeadFieldID, body: map[string]any{"label": "pwned"}, header: ifMatch,
			gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "delete lead custom field", method: "DELETE", path: "/v1/lead-custom-fields/" + v.LeadFieldID, header: ifMatch, gate: salesWrite, svc: salesAdmin,
			want: 404, echoes: true},
		// The assignment rules are the tenant's sales configuration too;
		// running them reaches only the caller's leads.
		{name: "list lead assignment rules", method: "GET", path: "/v1/lead-assignment-rules", gate: salesRead, want: 200},
		{name: "get lead assignment rule", method: "GET", path: "/v1/lead-assignment-rules/" + v.LeadRuleID, gate: salesRead, want: 404, echoes: true},
		{name: "create lead assignment rule", method: "POST", path: "/v1/lead-assignment-rules", body: map[string]any{"name": "Probe " + m,
			"condition": map[string]any{"field": "source", "op": "eq", "value": "Never"}, "target": map[string]any{"type": "user", "userId": "probe"}},
			gate: salesWrite, svc: salesAdmin, want: 201},
		{name: "patch lead assignment rule", method: "PATCH", path: "/v1/lead-assignment-rules/" + v.LeadRuleID, body: map[string]any{"name": "pwned"},
			header: ifMatch, gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "delete lead assignment rule", method: "DELETE", path: "/v1/lead-assignment-rules/" + v.LeadRuleID, header: ifMatch, gate: salesWrite,
			svc: salesAdmin, want: 404, echoes: true},
		{name: "reorder lead assignment rules with the victim's", method: "PUT", path: "/v1/lead-assignment-rules/order",
			body: map[string]any{"ids": []string{v.LeadRuleID}}, gate: salesWrite, svc: salesAdmin, want: 400, echoes: true},
		{name: "preview lead assignment", method: "POST", path: "/v1/lead-assignment-rules/preview", body: map[string]any{"lastName": "Probe " + m},
			gate: salesWrite, svc: salesAdmin, want: 200},
		{name: "assign lead", method: "POST", path: "/v1/leads/" + v.LeadID + "/assign", gate: salesWrite, want: 404, echoes: true},
		// The scoring rules are the tenant's sales configuration too; a
		// change of them rescores only the caller's leads (the probe's rule
		// matches none, so the caller's own fixture stays intact), and a
		// lead's score is read within the record scope.
		{name: "list lead scoring rules", method: "GET", path: "/v1/lead-scoring-rules", gate: salesRead, want: 200},
		{name: "get lead scoring rule", method: "GET", path: "/v1/lead-scoring-rules/" + v.ScoringRuleID, gate: salesRead, want: 404, echoes: true},
		{name: "create lead scoring rule", method: "POST", path: "/v1/lead-scoring-rules", body: map[string]any{"name": "Probe " + m, "kind": "field",
			"points": 5, "condition": map[string]any{"field": "source", "op": "eq", "value": "Never"}}, gate: salesWrite, svc: salesAdmin, want: 201},
		{name: "patch lead scoring rule", method: "PATCH", path: "/v1/lead-scoring-rules/" + v.ScoringRuleID, body: map[string]any{"points": 100},
			header: ifMatch, gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "delete lead scoring rule", method: "DELETE", path: "/v1/lead-scoring-rules/" + v.ScoringRuleID, header: ifMatch, gate: salesWrite,
			svc: salesAdmin, want: 404, echoes: true},
		{name: "lead score", method: "GET", path: "/v1/leads/" + v.LeadID + "/score", gate: salesRead, want: 404, echoes: true},
		// Lead imports, as contacts' imports: an import and its error report
		// (the victim's holds its bad row) are found in the caller's tenant
		// only; the service asks sales:write of every route.
		{name: "get lead import", method: "GET", path: "/v1/lead-imports/" + v.LeadImportID, gate: salesRead, svc: salesWrite, want: 404, echoes: true},
		{name: "lead import errors", method: "GET", path: "/v1/lead-imports/" + v.LeadImportID + "/errors", gate: salesRead, svc: salesWrite, want: 404,
			echoes: true},
		{name: "list lead imports", method: "GET", path: "/v1/lead-imports?limit=200", gate: salesRead, svc: salesWrite, want: 200},
		{name: "cancel lead import", method: "DELETE", path: "/v1/lead-imports/" + v.LeadImportID, gate: salesWrite, want: 404, echoes: true},
		{name: "start lead import", method: "POST", path: "/v1/lead-imports", body: leadCSVUpload("Email\nprobe." + m + "@example.com\n"), gate: salesWrite,
			want: 202},
		{name: "preview lead import", method: "POST", path: "/v1/lead-imports/preview", body: leadCSVUpload("Email\nprobe@example.com\n"), gate: salesWrite,
			want: 200},
		{name: "lead assignment", method: "GET", path: "/v1/leads/" + v.LeadID + "/assignment", gate: salesRead, want: 404, echoes: true},
		{name: "assign the victim's leads in bulk", method: "POST", path: "/v1/leads/assign", body: map[string]any{"ids": []string{v.LeadID}},
			gate: salesWrite, want: 200, check: func(t *testing.T, body []byte) {
				if !strings.Contains(string(body), `"leads":0`) {
					t.Errorf("the victim's lead was assigned: %s", body)
				}
			}},
		// The catalogue is the tenant's sales configuration: read with
		// sales:read, changed with sales:admin (the gateway asks sales:write
		// of every write).
		{name: "list products", method: "GET", path: "/v1/products?limit=200", gate: salesRead, want: 200},
		{name: "search products by the victim's SKU", method: "GET", path: "/v1/products?q=" + q(v.SKU), gate: salesRead, want: 200},
		{name: "get product", method: "GET", path: "/v1/products/" + v.ProductID, gate: salesRead, want: 404, echoes: true},
		{name: "create product", method: "POST", path: "/v1/products", body: map[string]any{"sku": "Probe-" + m, "name": "Probe " + m, "unit": "each"},
			gate: salesWrite, svc: salesAdmin, want: 201},
		{name: "patch product", method: "PATCH", path: "/v1/products/" + v.ProductID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "delete product", method: "DELETE", path: "/v1/products/" + v.ProductID, header: ifMatch, gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "list price books", method: "GET", path: "/v1/price-books", gate: salesRead, want: 200},
		{name: "get price book", method: "GET", path: "/v1/price-books/" + v.PriceBookID, gate: salesRead, want: 404, echoes: true},
		{name: "create price book", method: "POST", path: "/v1/price-books", body: map[string]any{"name": "Probe " + m, "currency": "EUR"},
			gate: salesWrite, svc: salesAdmin, want: 201},
		{name: "patch price book", method: "PATCH", path: "/v1/price-books/" + v.PriceBookID, body: map[string]any{"name": "pwned"}, header: ifMatch,
			gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "delete price book", method: "DELETE", path: "/v1/price-books/" + v.PriceBookID, header: ifMatch, gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "list price book entries", method: "GET", path: "/v1/price-books/" + v.PriceBookID + "/entries", gate: salesRead, want: 404, echoes: true},
		{name: "set price book entry", method: "PUT", path: "/v1/price-books/" + v.PriceBookID + "/entries/" + v.ProductID,
			body: map[string]any{"unitPrice": map[string]any{"minor": 1}}, gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		{name: "delete price book entry", method: "DELETE", path: "/v1/price-books/" + v.PriceBookID + "/entries/" + v.ProductID,
			gate: salesWrite, svc: salesAdmin, want: 404, echoes: true},
		// Forecasts: read with sales:read within the record scope; rates and
		// overrides are set with sales:admin.
		{name: "the forecast", method: "GET", path: "/v1/forecasts?period=2099-Q1&currency=EUR", gate: salesRead, want: 200},
		{name: "the forecast by team", method: "GET", path: "/v1/forecasts?period=2099-Q1&currency=EUR&groupBy=team", gate: salesRead, want: 200},
		{name: "the forecast of the victim's team", method: "GET", path: "/v1/forecasts?period=2099-Q1&currency=USD&groupBy=owner&teamId=" + q(v.Team),
			gate: salesRead, want: 200, echoes: true},
		{name: "get forecast rates", method: "GET", path: "/v1/forecasts/rates", gate: salesRead, want: 200},
		{name: "set forecast rates", method: "PUT", path: "/v1/forecasts/rates", body: map[string]any{"baseCurrency": "EUR", "rates": map[string]string{"USD": "0.9"}},
			gate: salesWrite, svc: salesAdmin, want: 200},
		{name: "override a team's forecast", method: "PUT", path: "/v1/forecasts/overrides", body: map[string]any{"period": "2099-Q1", "teamId": "probe" + m,
			"category": "commit", "amount": map[string]any{"minor": 1, "currency": "EUR"}, "note": "pwned"}, gate: salesWrite, svc: salesAdmin, want: 200},
	}, slices.Concat(supportProbes(v, m), marketingProbes(v, m), reportingProbes(v, m))...)
}
