package marketing_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// TestSegmentsDynamicMembership: a dynamic segment's members are
// computed from scratch at its creation and on a filter change, and kept
// as contacts change (entering and leaving with segment.entered and
// segment.left, in the history, the count live); marketing facts (an
// open, a campaign) count like the contact's fields.
func TestSegmentsDynamicMembership(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ada := person{id: uuid.NewString(), first: "Ada", email: "ada@example.com", stage: "lead", country: "FR", version: 1}
	bo := person{id: uuid.NewString(), first: "Bo", email: "bo@example.com", stage: "customer", country: "FR", version: 1}
	cy := person{id: uuid.NewString(), first: "Cy", email: "cy@example.com", stage: "lead", country: "DE", version: 1}
	e.sendContacts(contactEvent(t, "created", u.tenant, ada), contactEvent(t, "created", u.tenant, bo), contactEvent(t, "created", u.tenant, cy))

	seg := e.createSegment(u, map[string]any{"name": "French leads", "kind": "dynamic", "filter": map[string]any{"and": []any{
		map[string]any{"field": "lifecycleStage", "op": "eq", "value": "lead"},
		map[string]any{"field": "country", "op": "eq", "value": "FR"},
	}}})
	if seg.MemberCount != 1 {
		t.Errorf("memberCount at creation %d, want 1", seg.MemberCount)
	}
	e.wantMembers(u, seg.ID, "from scratch", ada.id)

	cy.country, cy.version = "FR", 2
	e.sendContacts(contactEvent(t, "updated", u.tenant, cy))
	e.wantMembers(u, seg.ID, "a contact meeting the filter after an update", ada.id, cy.id)
	ada.stage, ada.version = "customer", 2
	e.sendContacts(contactEvent(t, "updated", u.tenant, ada))
	e.wantMembers(u, seg.ID, "a contact no longer meeting it", cy.id)
	cy.version = 3
	e.sendContacts(contactEvent(t, "deleted", u.tenant, cy))
	e.wantMembers(u, seg.ID, "a deleted contact", []string{}...)

	r := e.want(e.do(u, "PATCH", "/v1/segments/"+seg.ID, map[string]any{"filter": map[string]any{"field": "lifecycleStage", "op": "eq",
		"value": "customer"}}, "Content-Type", "application/merge-patch+json", "If-Match", `"1"`), 200)
	if got := contracttest.Decode[segmentBody](r); got.Version != 2 || got.MemberCount != 2 {
		t.Errorf("after a filter change: %+v, want version 2 and 2 members", got)
	}
	e.wantMembers(u, seg.ID, "a new filter", ada.id, bo.id)

	want := []string{"entered " + ada.id, "entered " + cy.id, "left " + ada.id, "left " + cy.id}
	enteredBoth := []string{"entered " + ada.id, "entered " + bo.id}
	got := e.memberships(seg.ID)
	if len(got) != 6 || !slices.Equal(got[:4], want) || !slices.Equal(sorted(got[4:]), sorted(enteredBoth)) {
		t.Errorf("published memberships %v, want %v then %v", got, want, enteredBoth)
	}
	history := contracttest.Decode[page[struct {
		ContactID string `json:"contactId"`
		Action    string `json:"action"`
	}]](e.want(e.do(u, "GET", "/v1/segments/"+seg.ID+"/history?limit=3", nil), 200))
	if len(history.Items) != 3 || history.NextCursor == "" || history.Items[2].Action != "left" || history.Items[2].ContactID != cy.id {
		t.Errorf("the history's latest page: %+v", history)
	}
	rest := contracttest.Decode[page[struct{}]](e.want(e.do(u, "GET", "/v1/segments/"+seg.ID+"/history?cursor="+urlQuery(history.NextCursor), nil), 200))
	if len(rest.Items) != 3 {
		t.Errorf("the history's second page holds %d entries, want 3", len(rest.Items))
	}
}

// TestSegmentsFollowMarketingFacts: an open and a campaign membership,
// from the service's own events, put a contact into the segments that
// filter on them; a time-relative ("within") segment is one.
func TestSegmentsFollowMarketingFacts(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ada := person{id: uuid.NewString(), first: "Ada", email: "ada@example.com", version: 1}
	bo := person{id: uuid.NewString(), first: "Bo", email: "bo@example.com", version: 1}
	e.sendContacts(contactEvent(t, "created", u.tenant, ada), contactEvent(t, "created", u.tenant, bo))
	opened := e.createSegment(u, map[string]any{"name": "Opened lately", "kind": "dynamic",
		"filter": map[string]any{"field": "lastOpenedAt", "op": "within", "value": "30d"}})
	campaign := uuid.NewString()
	inCampaign := e.createSegment(u, map[string]any{"name": "In the campaign", "kind": "dynamic",
		"filter": map[string]any{"field": "campaignIds", "op": "contains", "value": campaign}})
	e.wantMembers(u, opened.ID, "no open yet", []string{}...)

	msg, send := uuid.NewString(), uuid.NewString()
	now := time.Now().UTC().Format(time.RFC3339Nano)
	e.sendFacts(
		marketingEvent(t, "message", "opened", msg, u.tenant, map[string]any{"id": msg, "sendId": send, "campaignId": campaign,
			"contactId": ada.id, "channel": "email", "at": now}),
		marketingEvent(t, "campaign_member", "added", campaign, u.tenant, map[string]any{"campaignId": campaign, "contactId": bo.id,
			"status": "added", "at": now}),
		marketingEvent(t, "message", "opened", msg, u.tenant, map[string]any{"note": "unreadable"}),
	)
	e.wantMembers(u, opened.ID, "an open", ada.id)
	e.wantMembers(u, inCampaign.ID, "a campaign's open and member", ada.id, bo.id)
	got := contracttest.Decode[audienceBody](e.want(e.do(u, "GET", "/v1/audience/contacts/"+ada.id, nil), 200))
	if got.LastOpenedAt == nil || !slices.Equal(got.CampaignIDs, []string{campaign}) {
		t.Errorf("ada's facts: %+v", got)
	}
}

// sorted returns s sorted.
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
