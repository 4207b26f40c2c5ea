package marketing_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/registry"

	"github.com/rapport-crm/rapport/services/marketing/campaigns"
)

// memberStatuses returns the campaign's members' statuses by contact.
func memberStatuses(e *env, u user, campaignID, query string) map[string]string {
	e.t.Helper()
	out := map[string]string{}
	page := contracttest.Decode[campaigns.MemberPage](e.want(e.do(u, "GET", "/v1/campaigns/"+campaignID+"/members"+query, nil), http.StatusOK))
	for _, m := range page.Items {
		out[m.ContactID] = m.Status
	}
	return out
}

// history returns the member's history as "status<-previous@source".
func history(e *env, u user, campaignID, contactID string) []string {
	e.t.Helper()
	var out []string
	h := contracttest.Decode[struct{ Items []campaigns.HistoryEntry }](e.want(e.do(u, "GET",
		"/v1/campaigns/"+campaignID+"/members/"+contactID+"/history", nil), http.StatusOK))
	for _, x := range h.Items {
		out = append(out, x.Status+"<-"+x.PreviousStatus+"@"+x.Source)
	}
	return out
}

// TestCampaignMembersFollowEvents: members added by hand, then messages
// sent, opened and clicked for the campaign (marketing's topic), a form
// submitted for it, and an opportunity won in sales raise them, never
// lower them; events of other campaigns, of none, or that do not parse
// move no one; each move is in the member's history and published.
func TestCampaignMembersFollowEvents(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c := e.createCampaign(u, map[string]any{"name": "Launch", "type": "email"})
	other := e.createCampaign(u, map[string]any{"name": "Other", "type": "email"})
	ada := e.audienceContact(u.tenant, map[string]string{"first_name": "Ada", "email": "ada@example.com"})
	bob := e.audienceContact(u.tenant, map[string]string{"first_name": "Bob", "email": "bob@example.com"})
	cy := e.audienceContact(u.tenant, map[string]string{"first_name": "Cy", "email": "cy@example.com"})

	added := contracttest.Decode[campaigns.Added](e.want(e.do(u, "POST", "/v1/campaigns/"+c.ID+"/members",
		map[string]any{"contactIds": []string{ada, ada}}), http.StatusOK))
	if added.Added != 1 {
		t.Errorf("added %d, want 1", added.Added)
	}
	at := time.Now().UTC().Truncate(time.Second)
	msg := func(typ, contact, campaign string, extra map[string]any) eventOf {
		data := map[string]any{"id": uuid.NewString(), "sendId": uuid.NewString(), "contactId": contact, "channel": "email",
			"address": "x@example.com", "variant": "", "sentAt": at.Format(time.RFC3339), "at": at.Format(time.RFC3339)}
		if campaign != "" {
			data["campaignId"] = campaign
		}
		for k, v := range extra {
			data[k] = v
		}
		return eventOf{registry.Marketing, inbound(t, registry.Marketing, "dev.rapport.marketing."+typ+".v1", data["id"].(string), u.tenant, data)}
	}
	evs := []eventOf{
		msg("message.sent", ada, c.ID, nil),
		msg("message.sent", bob, c.ID, nil),
		msg("message.sent", cy, "", nil),               // no campaign: no member
		msg("message.sent", cy, uuid.NewString(), nil), // an unknown campaign: skipped
		msg("message.opened", ada, c.ID, nil),
		msg("message.clicked", ada, c.ID, map[string]any{"url": "https://example.com/x"}),
		msg("message.opened", ada, c.ID, nil), // below clicked: no change
		msg("message.sent", ada, other.ID, nil),
		{registry.Marketing, inbound(t, registry.Marketing, "dev.rapport.marketing.form.submitted.v1", uuid.NewString(), u.tenant,
			map[string]any{"id": uuid.NewString(), "formId": uuid.NewString(), "campaignId": c.ID, "contactId": bob, "email": "bob@example.com",
				"submittedAt": at.Format(time.RFC3339), "source": "web form"})},
		{registry.Marketing, inbound(t, registry.Marketing, "dev.rapport.marketing.message.opened.v1", uuid.NewString(), u.tenant, "not an object")},
		{registry.Sales, inbound(t, registry.Sales, "dev.rapport.sales.opportunity.won.v1", uuid.NewString(), u.tenant,
			map[string]any{"id": uuid.NewString(), "primaryContactId": ada, "contactRoles": []map[string]any{{"contactId": cy, "role": "buyer"}},
				"status": "won", "updatedAt": at.Format(time.RFC3339)})},
	}
	for _, ev := range evs {
		e.send(ev.from, ev.ev)
	}
	e.consumed(campaigns.ConsumerGroup, evs[len(evs)-1].ev.ID)
	e.consumed(campaigns.ConsumerGroup, evs[len(evs)-2].ev.ID)

	want := map[string]string{ada: "converted", bob: "responded"}
	if got := memberStatuses(e, u, c.ID, ""); !maps.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
	if got := memberStatuses(e, u, other.ID, ""); !maps.Equal(got, map[string]string{ada: "converted"}) {
		t.Errorf("the other campaign's members %v, want Ada converted (the opportunity won converts her everywhere)", got)
	}
	if got := memberStatuses(e, u, c.ID, "?status=responded"); !maps.Equal(got, map[string]string{bob: "responded"}) {
		t.Errorf("responded members %v", got)
	}
	if got, want := history(e, u, c.ID, ada), []string{"added<-@manual", "sent<-added@message.sent", "opened<-sent@message.opened",
		"clicked<-opened@message.clicked", "converted<-clicked@opportunity.won"}; !slices.Equal(got, want) {
		t.Errorf("Ada's history %v, want %v", got, want)
	}
	if got, want := history(e, u, c.ID, bob), []string{"sent<-@message.sent", "responded<-sent@form.submitted"}; !slices.Equal(got, want) {
		t.Errorf("Bob's history %v, want %v", got, want)
	}
	counts := contracttest.Decode[campaigns.View](e.want(e.do(u, "GET", "/v1/campaigns/"+c.ID, nil), http.StatusOK)).MemberCounts
	if counts["converted"] != 1 || counts["responded"] != 1 || counts["sent"] != 0 {
		t.Errorf("counts %v", counts)
	}
	e.want(e.do(u, "GET", "/v1/campaigns/"+c.ID+"/members/"+cy+"/history", nil), http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/campaigns/"+c.ID+"/members", nil), http.StatusNotFound)

	// Each move was published once, in order, with its previous status.
	var moves []string
	for _, ev := range e.publishedOf("dev.rapport.marketing.campaign_member.") {
		var d struct{ CampaignID, ContactID, Status, PreviousStatus string }
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.CampaignID == c.ID && d.ContactID == ada {
			moves = append(moves, ev.Type+":"+d.PreviousStatus+">"+d.Status)
		}
	}
	if want := []string{"dev.rapport.marketing.campaign_member.added.v1:>added", "dev.rapport.marketing.campaign_member.status_changed.v1:added>sent",
		"dev.rapport.marketing.campaign_member.status_changed.v1:sent>opened", "dev.rapport.marketing.campaign_member.status_changed.v1:opened>clicked",
		"dev.rapport.marketing.campaign_member.status_changed.v1:clicked>converted"}; !slices.Equal(moves, want) {
		t.Errorf("Ada's member events %v, want %v", moves, want)
	}
}

// eventOf is an event with the service whose topic it goes to.
type eventOf struct {
	from string
	ev   events.Event
}

// TestCampaignMemberStatusByHand: a status set by hand only rises;
// responded publishes campaign.responded with the contact as the audience
// knows them (what sales makes a lead of); a contact not in the audience,
// not a member, or a status that is none are problems.
func TestCampaignMemberStatusByHand(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c := e.createCampaign(u, map[string]any{"name": "Expo", "type": "event"})
	ada := e.audienceContact(u.tenant, map[string]string{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
		"phone": "+442079460958", "job_title": "Countess"})
	stranger := uuid.NewString()

	r := e.want(e.do(u, "POST", "/v1/campaigns/"+c.ID+"/members", map[string]any{"contactIds": []string{ada, stranger}}), http.StatusBadRequest)
	if f := r.fields(); !slices.Equal(f, []string{"contactIds"}) {
		t.Errorf("fields %v, want contactIds", f)
	}
	r = e.want(e.do(u, "POST", "/v1/campaigns/"+c.ID+"/members", map[string]any{"contactIds": []string{"nope"}}), http.StatusBadRequest)
	if f := r.fields(); !slices.Equal(f, []string{"contactIds/0"}) {
		t.Errorf("fields %v, want contactIds/0", f)
	}
	e.want(e.do(u, "POST", "/v1/campaigns/"+uuid.NewString()+"/members", map[string]any{"contactIds": []string{ada}}), http.StatusNotFound)
	e.want(e.do(u, "POST", "/v1/campaigns/"+c.ID+"/members", map[string]any{"contactIds": []string{ada}}), http.StatusOK)

	status := func(contact, s string, want int) reply {
		t.Helper()
		return e.want(e.do(u, "PUT", "/v1/campaigns/"+c.ID+"/members/"+contact+"/status", map[string]any{"status": s}), want)
	}
	m := contracttest.Decode[campaigns.Member](status(ada, "responded", http.StatusOK))
	if m.Status != "responded" || m.ContactID != ada {
		t.Errorf("member %+v", m)
	}
	status(ada, "opened", http.StatusUnprocessableEntity)
	status(ada, "responded", http.StatusUnprocessableEntity)
	status(stranger, "converted", http.StatusNotFound)
	status(ada, "converted", http.StatusOK)

	var resp []map[string]any
	for _, ev := range e.publishedOf("dev.rapport.marketing.campaign.responded.") {
		var d map[string]any
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatal(err)
		}
		if ev.Subject != c.ID {
			t.Errorf("campaign.responded subject %s, want the campaign's id", ev.Subject)
		}
		resp = append(resp, d)
	}
	if len(resp) != 1 || resp[0]["email"] != "ada@example.com" || resp[0]["firstName"] != "Ada" || resp[0]["lastName"] != "Lovelace" ||
		resp[0]["phone"] != "+442079460958" || resp[0]["title"] != "Countess" || resp[0]["contactId"] != ada || resp[0]["campaignId"] != c.ID {
		t.Errorf("campaign.responded %v, want one with Ada's details", resp)
	}
	if got, want := history(e, u, c.ID, ada), []string{"added<-@manual", "responded<-added@manual", "converted<-responded@manual"}; !slices.Equal(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
}
