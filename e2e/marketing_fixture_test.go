package e2e

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/e2e/stack"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// marketingFixture is what a tenant's administrator makes in the marketing
// service, every text carrying the tenant's marker: a dynamic segment and
// a static list holding the fixture's contact (once the audience has
// projected it from contacts' events); a campaign with the contact as a
// member; an email template; a send of the template to the list scheduled
// far ahead (it mails nobody during the test); a suppressed address; a
// form of the campaign with one submission, posted through the gateway's
// public /m/<tenant>/forms/{id}; a draft journey sending the template to
// whoever enters the list; the tenant's sending settings; a rebuild of the
// audience.
type marketingFixture struct {
	SegmentID, ListID, CampaignID, TemplateID string
	SendID, FormID, JourneyID                 string
	// Suppressed is the suppressed address: its id in the API, which the
	// matrix checks as it does ids (a probe naming it may see it again),
	// so it holds no marker.
	Suppressed string
	// FormLabel is a label of the form's fields, which its public page
	// shows.
	FormLabel string
}

// IDs are the marketing fixture's record ids.
func (f marketingFixture) IDs() []string {
	return []string{f.SegmentID, f.ListID, f.CampaignID, f.TemplateID, f.SendID, f.FormID, f.JourneyID}
}

// newMarketingFixture makes the marketing records through the gateway with
// token, marked with m; tenant is the tenant's slug (for its public form
// page), contactID and email the fixture's contact, whose email consent
// is granted.
func newMarketingFixture(t *testing.T, base, token, tenant, m, contactID string) marketingFixture {
	t.Helper()
	post := func(path string, body any) string {
		var rec struct {
			ID string `json:"id"`
		}
		stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + path, Token: token, Body: body}, http.StatusCreated, &rec)
		return rec.ID
	}
	testkit.Eventually(t, time.Minute, "the audience has the fixture's contact", func() (bool, string) {
		res := stack.Do(t, stack.Request{Method: http.MethodGet, URL: base + "/v1/audience/contacts/" + contactID, Token: token})
		return res.Status == http.StatusOK, string(res.Body)
	})
	f := marketingFixture{Suppressed: "supp." + letters(12) + "@example.com", FormLabel: "Label" + m}
	f.SegmentID = post("/v1/segments", map[string]any{"name": "Seg" + m, "description": "Desc" + m, "kind": "dynamic",
		"filter": map[string]any{"field": "lifecycleStage", "op": "eq", "value": "lead"}})
	f.ListID = post("/v1/segments", map[string]any{"name": "List" + m, "kind": "static"})
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/segments/" + f.ListID + "/members", Token: token,
		Body: map[string]any{"contactIds": []string{contactID}}}, http.StatusOK, nil)
	f.CampaignID = post("/v1/campaigns", map[string]any{"name": "Camp" + m, "type": "email", "description": "Desc" + m})
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/campaigns/" + f.CampaignID + "/members", Token: token,
		Body: map[string]any{"contactIds": []string{contactID}}}, http.StatusOK, nil)
	f.TemplateID = post("/v1/templates", map[string]any{"name": "Tpl" + m, "channel": "email", "subject": "Subj" + m,
		"html": `<html><body><p>Html` + m + ` {{contact.firstName}}</p><a href="{{unsubscribeUrl}}">unsubscribe</a></body></html>`,
		"text": "Text" + m + " {{unsubscribeUrl}}"})
	f.SendID = post("/v1/sends", map[string]any{"templateId": f.TemplateID, "channel": "email", "segmentId": f.ListID,
		"campaignId": f.CampaignID, "scheduledAt": "2099-01-01T00:00:00Z"})
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/suppressions", Token: token,
		Body: map[string]any{"channel": "email", "address": f.Suppressed, "detail": "Detail" + m}}, http.StatusCreated, nil)
	f.FormID = post("/v1/forms", map[string]any{"name": "Form" + m, "campaignId": f.CampaignID, "fields": []map[string]any{
		{"key": "first", "label": f.FormLabel, "type": "text", "required": true, "mapsTo": "firstName"},
		{"key": "email", "label": "Email", "type": "email", "required": true, "mapsTo": "email"},
	}, "consent": map[string]any{"text": "Consent" + m, "channel": "email"}})
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/m/" + tenant + "/forms/" + f.FormID,
		Body: stack.Raw{ContentType: "application/x-www-form-urlencoded", Data: []byte(url.Values{
			"first": {"Visitor" + m}, "email": {"visitor." + m + "@" + m + ".example"}}.Encode())}}, http.StatusOK, nil)
	f.JourneyID = post("/v1/journeys", map[string]any{"name": "Jrn" + m, "campaignId": f.CampaignID,
		"trigger": map[string]any{"type": "segment_entered", "segmentId": f.ListID},
		"steps":   []map[string]any{{"id": "mail", "type": "send", "templateId": f.TemplateID, "channel": "email"}}})
	stack.Must(t, stack.Request{Method: http.MethodPut, URL: base + "/v1/marketing-settings", Token: token,
		Body: map[string]any{"fromAddress": "news@" + m + ".example", "fromName": "From" + m, "replyTo": "", "smsFrom": "", "throttlePerMinute": 600}},
		http.StatusOK, nil)
	stack.Must(t, stack.Request{Method: http.MethodPost, URL: base + "/v1/audience/rebuild", Token: token}, http.StatusAccepted, nil)
	return f
}

// placeholderMarketing is a marketing fixture of made-up ids.
func placeholderMarketing() marketingFixture {
	return marketingFixture{SegmentID: ids.New(), ListID: ids.New(), CampaignID: ids.New(), TemplateID: ids.New(), SendID: ids.New(),
		FormID: ids.New(), JourneyID: ids.New(), Suppressed: "supp@example.com", FormLabel: "Label"}
}
