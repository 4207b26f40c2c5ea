package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
)

const (
	marketingRead  = "marketing:read"
	marketingWrite = "marketing:write"
	marketingSend  = "marketing:send"
	marketingAdmin = "marketing:admin"
)

// marketingProbes are the probes of the marketing service's operations on
// victim v's marketing records; m names the caller's own new records.
// Reads need marketing:read; building segments, lists, campaigns, journeys,
// templates and forms marketing:write; starting and canceling sends
// marketing:send; the sending settings, the suppression list, the feedback
// upload and the audience's rebuild marketing:admin. The gateway asks
// marketing:write of every other method than GET.
func marketingProbes(v fixture, m string) []probe {
	k := v.Marketing
	ifMatch := map[string]string{"If-Match": `"1"`}
	seg, camp, tpl, form := "/v1/segments/"+k.SegmentID, "/v1/campaigns/"+k.CampaignID, "/v1/templates/"+k.TemplateID, "/v1/forms/"+k.FormID
	jrn := "/v1/journeys/" + k.JourneyID
	lead := map[string]any{"field": "lifecycleStage", "op": "eq", "value": "lead"}
	noTouches := func(t *testing.T, body []byte) { // the victim's contact has no touch for another tenant
		var r struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(body, &r); err != nil || len(r.Items) != 0 {
			t.Errorf("touches %s: want none", body)
		}
	}
	// A delivery report naming the victim's contact's address, of a
	// message the caller's tenant never sent: counted, nothing else.
	bounce := stack.Raw{ContentType: "message/rfc822", Data: []byte(strings.ReplaceAll(fmt.Sprintf(`From: Mail Delivery System <MAILER-DAEMON@relay.example.net>
To: bounces@mail.rapport.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn-%[1]s@relay.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.net

Final-Recipient: rfc822; %[2]s
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--BOUNDARY
Content-Type: text/rfc822-headers

To: %[2]s
Subject: Probe
Message-ID: <%[1]s@mail.rapport.test>

--BOUNDARY--
`, m, v.Email), "\n", "\r\n"))}
	return []probe{
		// The audience.
		{name: "list the audience", method: "GET", path: "/v1/audience/contacts?limit=200", gate: marketingRead, want: 200},
		{name: "get the victim's contact in the audience", method: "GET", path: "/v1/audience/contacts/" + v.ContactID, gate: marketingRead, want: 404, echoes: true},
		{name: "rebuild the audience", method: "POST", path: "/v1/audience/rebuild", gate: marketingWrite, svc: marketingAdmin, want: 202},
		{name: "the audience's rebuild", method: "GET", path: "/v1/audience/rebuild", gate: marketingRead, want: 200},
		// Segments and lists.
		{name: "list segments", method: "GET", path: "/v1/segments?limit=200", gate: marketingRead, want: 200},
		{name: "create segment", method: "POST", path: "/v1/segments", body: map[string]any{"name": "Probe " + m, "kind": "dynamic", "filter": lead},
			gate: marketingWrite, want: 201},
		{name: "preview segment", method: "POST", path: "/v1/segments/preview", body: map[string]any{"filter": lead}, gate: marketingWrite, want: 200},
		{name: "get segment", method: "GET", path: seg, gate: marketingRead, want: 404, echoes: true},
		{name: "patch segment", method: "PATCH", path: seg, body: map[string]any{"name": "pwned"}, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "delete segment", method: "DELETE", path: seg, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "segment members", method: "GET", path: seg + "/members", gate: marketingRead, want: 404, echoes: true},
		{name: "segment count", method: "GET", path: seg + "/count", gate: marketingRead, want: 404, echoes: true},
		{name: "segment history", method: "GET", path: seg + "/history", gate: marketingRead, want: 404, echoes: true},
		{name: "add to the victim's list", method: "POST", path: "/v1/segments/" + k.ListID + "/members", body: map[string]any{"contactIds": []string{v.ContactID}},
			gate: marketingWrite, want: 404, echoes: true},
		{name: "remove from the victim's list", method: "DELETE", path: "/v1/segments/" + k.ListID + "/members/" + v.ContactID, gate: marketingWrite, want: 404, echoes: true},
		{name: "import into the victim's list", method: "POST", path: "/v1/segments/" + k.ListID + "/imports",
			body: stack.Raw{ContentType: "text/csv", Data: []byte("id\n" + v.ContactID + "\n")}, gate: marketingWrite, want: 404, echoes: true},
		// Campaigns and their members.
		{name: "list campaigns", method: "GET", path: "/v1/campaigns?limit=200", gate: marketingRead, want: 200},
		{name: "create campaign", method: "POST", path: "/v1/campaigns", body: map[string]any{"name": "Probe " + m, "type": "email"}, gate: marketingWrite, want: 201},
		{name: "create campaign under the victim's", method: "POST", path: "/v1/campaigns", body: map[string]any{"name": "Probe " + m, "type": "email", "parentId": k.CampaignID},
			gate: marketingWrite, want: 400, echoes: true},
		{name: "get campaign", method: "GET", path: camp, gate: marketingRead, want: 404, echoes: true},
		{name: "patch campaign", method: "PATCH", path: camp, body: map[string]any{"name": "pwned"}, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "delete campaign", method: "DELETE", path: camp, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "campaign children", method: "GET", path: camp + "/children", gate: marketingRead, want: 404, echoes: true},
		{name: "campaign members", method: "GET", path: camp + "/members", gate: marketingRead, want: 404, echoes: true},
		{name: "add campaign members", method: "POST", path: camp + "/members", body: map[string]any{"contactIds": []string{v.ContactID}},
			gate: marketingWrite, want: 404, echoes: true},
		{name: "campaign member history", method: "GET", path: camp + "/members/" + v.ContactID + "/history", gate: marketingRead, want: 404, echoes: true},
		{name: "set campaign member status", method: "PUT", path: camp + "/members/" + v.ContactID + "/status", body: map[string]any{"status": "responded"},
			gate: marketingWrite, want: 404, echoes: true},
		// Templates.
		{name: "list templates", method: "GET", path: "/v1/templates?limit=200", gate: marketingRead, want: 200},
		{name: "create template", method: "POST", path: "/v1/templates", body: map[string]any{"name": "Probe " + m, "channel": "sms", "body": "Probe"},
			gate: marketingWrite, want: 201},
		{name: "get template", method: "GET", path: tpl, gate: marketingRead, want: 404, echoes: true},
		{name: "patch template", method: "PATCH", path: tpl, body: map[string]any{"name": "pwned"}, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "delete template", method: "DELETE", path: tpl, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "preview template for the victim's contact", method: "POST", path: tpl + "/preview", body: map[string]any{"contactId": v.ContactID},
			gate: marketingWrite, want: 404, echoes: true},
		// Sends and the sending settings (the caller's own).
		{name: "list sends", method: "GET", path: "/v1/sends?limit=200", gate: marketingRead, want: 200},
		{name: "send the victim's template to their list", method: "POST", path: "/v1/sends", body: map[string]any{"templateId": k.TemplateID, "channel": "email",
			"segmentId": k.ListID}, gate: marketingWrite, svc: marketingSend, want: 422, echoes: true},
		{name: "get send", method: "GET", path: "/v1/sends/" + k.SendID, gate: marketingRead, want: 404, echoes: true},
		{name: "A/B results of the victim's send", method: "GET", path: "/v1/sends/" + k.SendID + "/ab-results", gate: marketingRead, want: 404, echoes: true},
		{name: "cancel send", method: "POST", path: "/v1/sends/" + k.SendID + "/cancel", gate: marketingWrite, svc: marketingSend, want: 404, echoes: true},
		{name: "get send's A/B results", method: "GET", path: "/v1/sends/" + k.SendID + "/ab-results", gate: marketingRead, want: 404, echoes: true},
		{name: "get marketing settings", method: "GET", path: "/v1/marketing-settings", gate: marketingRead, svc: marketingAdmin, want: 200},
		{name: "set marketing settings", method: "PUT", path: "/v1/marketing-settings", body: map[string]any{"fromAddress": "probe@" + m + ".example",
			"fromName": "Probe", "replyTo": "", "smsFrom": "", "throttlePerMinute": 60}, gate: marketingWrite, svc: marketingAdmin, want: 200},
		// Suppressions and feedback: the lists are each tenant's own.
		{name: "list suppressions", method: "GET", path: "/v1/suppressions?limit=200", gate: marketingRead, svc: marketingAdmin, want: 200},
		{name: "add suppression", method: "POST", path: "/v1/suppressions", body: map[string]any{"channel": "email", "address": "probe." + ids.New() + "@example.com"},
			gate: marketingWrite, svc: marketingAdmin, want: 201},
		{name: "remove the victim's suppression", method: "DELETE", path: "/v1/suppressions/email/" + url.PathEscape(k.Suppressed),
			gate: marketingWrite, svc: marketingAdmin, want: 404, echoes: true},
		{name: "a bounce of the victim's address", method: "POST", path: "/v1/marketing-feedback", body: bounce, gate: marketingWrite, svc: marketingAdmin,
			want: 202, echoes: true},
		// Forms and their submissions.
		{name: "list forms", method: "GET", path: "/v1/forms?limit=200", gate: marketingRead, want: 200},
		{name: "create form", method: "POST", path: "/v1/forms", body: map[string]any{"name": "Probe " + m, "fields": []map[string]any{
			{"key": "email", "label": "Email", "type": "email", "required": true, "mapsTo": "email"}}}, gate: marketingWrite, want: 201},
		{name: "create form of the victim's campaign", method: "POST", path: "/v1/forms", body: map[string]any{"name": "Probe " + m, "campaignId": k.CampaignID,
			"fields": []map[string]any{{"key": "email", "label": "Email", "type": "email", "required": true, "mapsTo": "email"}}},
			gate: marketingWrite, want: 400, echoes: true},
		{name: "get form", method: "GET", path: form, gate: marketingRead, want: 404, echoes: true},
		{name: "patch form", method: "PATCH", path: form, body: map[string]any{"name": "pwned"}, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "delete form", method: "DELETE", path: form, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "form snippet", method: "GET", path: form + "/snippet", gate: marketingRead, want: 404, echoes: true},
		{name: "form submissions", method: "GET", path: form + "/submissions", gate: marketingRead, want: 404, echoes: true},
		// Journeys and their enrolments.
		{name: "list journeys", method: "GET", path: "/v1/journeys?limit=200", gate: marketingRead, want: 200},
		{name: "create journey", method: "POST", path: "/v1/journeys", body: map[string]any{"name": "Probe " + m,
			"trigger": map[string]any{"type": "event", "event": "message.clicked"}, "steps": []map[string]any{{"id": "bye", "type": "exit"}}},
			gate: marketingWrite, want: 201},
		{name: "create journey on the victim's list and template", method: "POST", path: "/v1/journeys", body: map[string]any{"name": "Probe " + m,
			"trigger": map[string]any{"type": "segment_entered", "segmentId": k.ListID},
			"steps":   []map[string]any{{"id": "mail", "type": "send", "templateId": k.TemplateID, "channel": "email"}}},
			gate: marketingWrite, want: 400, echoes: true},
		{name: "get journey", method: "GET", path: jrn, gate: marketingRead, want: 404, echoes: true},
		{name: "patch journey", method: "PATCH", path: jrn, body: map[string]any{"status": "active"}, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "delete journey", method: "DELETE", path: jrn, header: ifMatch, gate: marketingWrite, want: 404, echoes: true},
		{name: "journey enrolments", method: "GET", path: jrn + "/enrolments", gate: marketingRead, want: 404, echoes: true},
		// Attribution.
		{name: "campaign attribution", method: "GET", path: "/v1/attribution/campaigns?model=linear", gate: marketingRead, want: 200},
		{name: "the victim's contact's touches", method: "GET", path: "/v1/attribution/contacts/" + v.ContactID + "/touches", gate: marketingRead, want: 200,
			echoes: true, check: noTouches},
	}
}

// testMarketingPublic checks the marketing service's public pages behind
// the gateway's /m/<tenant>/: victim's form is shown under its slug and
// its id, and under attacker's slug (with or without attacker's
// credentials, which the gateway strips) or an unknown tenant it is
// neither shown nor taken, and nothing of victim's leaks.
func testMarketingPublic(t *testing.T, st *stack.Stack, attacker, victim *side) {
	form := "/forms/" + victim.fixture.Marketing.FormID
	for _, ref := range []string{victim.tenant.Slug, victim.tenant.ID} {
		res := stack.Do(t, stack.Request{Method: "GET", URL: st.GatewayURL + "/m/" + ref + form})
		if res.Status != 200 || !strings.Contains(string(res.Body), victim.fixture.Marketing.FormLabel) {
			t.Errorf("the victim's form under %s: %d %s, want 200 with its label", ref, res.Status, res.Body)
		}
	}
	submit := stack.Raw{ContentType: "application/x-www-form-urlencoded", Data: []byte(url.Values{
		"first": {"pwned"}, "email": {"pwned." + letters(6) + "@example.com"}}.Encode())}
	for _, r := range []stack.Request{
		{Method: "GET", URL: st.GatewayURL + "/m/" + attacker.tenant.Slug + form},
		{Method: "GET", URL: st.GatewayURL + "/m/" + attacker.tenant.ID + form, Token: attacker.tenant.Admin.Token},
		{Method: "POST", URL: st.GatewayURL + "/m/" + attacker.tenant.Slug + form, Body: submit},
		{Method: "GET", URL: st.GatewayURL + "/m/nobody-" + letters(6) + form},
		{Method: "GET", URL: st.GatewayURL + "/m/" + ids.New() + form},
	} {
		res := stack.Do(t, r)
		if res.Status != 404 {
			t.Errorf("%s %s: %d %s, want 404", r.Method, r.URL, res.Status, res.Body)
		}
		assertNoLeak(t, res.Body, victim.fixture, false)
	}
}

// marketingControls are testControls' reads of f's marketing records,
// which the tenant's own administrator finds: the probes' refusals are of
// records that are there.
func marketingControls(f fixture) []struct {
	name, method, path string
	body               any
	want               string
} {
	k := f.Marketing
	return []struct {
		name, method, path string
		body               any
		want               string
	}{
		{"get the contact in the audience", "GET", "/v1/audience/contacts/" + f.ContactID, nil, f.ContactID},
		{"get segment", "GET", "/v1/segments/" + k.SegmentID, nil, k.SegmentID},
		{"list members", "GET", "/v1/segments/" + k.ListID + "/members", nil, f.ContactID},
		{"get campaign", "GET", "/v1/campaigns/" + k.CampaignID, nil, k.CampaignID},
		{"campaign members", "GET", "/v1/campaigns/" + k.CampaignID + "/members", nil, f.ContactID},
		{"get template", "GET", "/v1/templates/" + k.TemplateID, nil, k.TemplateID},
		{"get send", "GET", "/v1/sends/" + k.SendID, nil, k.SendID},
		{"list suppressions", "GET", "/v1/suppressions?limit=200", nil, k.Suppressed},
		{"marketing settings", "GET", "/v1/marketing-settings", nil, f.Markers[0]},
		{"get form", "GET", "/v1/forms/" + k.FormID, nil, k.FormID},
		{"form submissions", "GET", "/v1/forms/" + k.FormID + "/submissions", nil, f.Markers[0]},
		{"get journey", "GET", "/v1/journeys/" + k.JourneyID, nil, k.JourneyID},
	}
}
