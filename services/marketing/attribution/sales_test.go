package attribution

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/events"
)

// salesEvent is an event of sales of type typ with data.
func salesEvent(t *testing.T, typ string, data any) events.Event {
	t.Helper()
	ev, err := events.New("/rapport/sales", typ, uuid.NewString(), uuid.NewString(), data)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestOpportunityOf reads an opportunity from its events: stage_changed's
// from its "opportunity"; its contacts once each, the primary first; a
// won one's close (its updatedAt without closedAt); no amount as nil; an
// event naming no opportunity is an error, and other types are skipped.
func TestOpportunityOf(t *testing.T) {
	id, primary, role := uuid.NewString(), uuid.NewString(), uuid.NewString()
	updated := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	state := map[string]any{"id": id, "primaryContactId": primary, "status": "won", "version": 7,
		"contactRoles": []any{map[string]any{"contactId": role, "role": "buyer"}, map[string]any{"contactId": primary, "role": "champion"},
			map[string]any{"contactId": "not-a-uuid", "role": "x"}},
		"createdAt": "2026-01-01T00:00:00Z", "updatedAt": updated.Format(time.RFC3339)}
	o, ok, err := opportunityOf(salesEvent(t, typeStageChanged, map[string]any{"opportunity": state, "movedBy": "rep"}))
	if err != nil || !ok {
		t.Fatalf("stage_changed: %v, %v", ok, err)
	}
	if o.ID != id || !slices.Equal(o.ContactIDs, []string{primary, role}) || o.Minor != nil || o.Closed == nil || !o.Closed.Equal(updated) ||
		o.Version != 7 || o.won() {
		t.Errorf("stage_changed read as %+v (closed %v), want its contacts once each, closed at its update, no amount (so not credited)",
			o, o.Closed)
	}
	state["amount"] = map[string]any{"minor": 250, "currency": "JPY", "exponent": 0}
	state["deletedAt"] = updated.Format(time.RFC3339)
	if o, _, _ := opportunityOf(salesEvent(t, "dev.rapport.sales.opportunity.deleted.v1", state)); o.Minor == nil || *o.Minor != 250 ||
		o.Currency != "JPY" || !o.Deleted || o.won() {
		t.Errorf("deleted read as %+v, want 250 JPY, deleted, not credited", o)
	}
	state["id"] = "deal-1"
	if _, _, err := opportunityOf(salesEvent(t, "dev.rapport.sales.opportunity.won.v1", state)); err == nil {
		t.Error("an opportunity without a UUID read")
	}
	if _, ok, err := opportunityOf(salesEvent(t, "dev.rapport.sales.quote.created.v1", state)); ok || err != nil {
		t.Errorf("a quote read as an opportunity: %v, %v", ok, err)
	}
}

// TestLeadOf reads the lead of its full-state events and skips the
// others (lead.assigned); a campaignId that is no UUID is none; only a
// converted lead of a campaign, into a contact, is a touch.
func TestLeadOf(t *testing.T) {
	id, campaign, contact, opp := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	data := map[string]any{"id": id, "campaignId": "spring", "createdAt": "2026-01-01T00:00:00Z", "version": 2}
	l, ok, err := leadOf(salesEvent(t, "dev.rapport.sales.lead.updated.v1", data))
	if err != nil || !ok || l.CampaignID != "" || l.Version != 2 {
		t.Errorf("lead.updated read as %+v, %v, %v; want no campaign", l, ok, err)
	}
	if _, ok, err := leadOf(salesEvent(t, "dev.rapport.sales.lead.assigned.v1", data)); ok || err != nil {
		t.Errorf("lead.assigned read: %v, %v", ok, err)
	}
	data["campaignId"], data["convertedContactId"], data["convertedOpportunityId"] = campaign, contact, opp
	data["convertedAt"] = "2026-02-01T09:30:00+08:00"
	ev := salesEvent(t, typeConverted, data)
	l, _, _ = leadOf(ev)
	touch, ok := conversionTouch(ev, l)
	if want := (Touch{ID: ev.ID, ContactID: contact, CampaignID: campaign, Kind: KindLead, OpportunityID: opp,
		At: time.Date(2026, 2, 1, 1, 30, 0, 0, time.UTC)}); !ok || touch != want {
		t.Errorf("conversion touch %+v, want %+v", touch, want)
	}
	if _, ok := conversionTouch(salesEvent(t, "dev.rapport.sales.lead.updated.v1", data), l); ok {
		t.Error("lead.updated made a touch")
	}
	raw, err := json.Marshal("not a lead")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := leadOf(salesEvent(t, typeConverted, json.RawMessage(raw))); err == nil {
		t.Error("a lead event that is no object read")
	}
}
