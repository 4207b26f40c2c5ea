package marketing_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// rebuildBody is a rebuild as the API returns it.
type rebuildBody struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Applied int64  `json:"applied"`
	Error   string `json:"error"`
}

// TestAudienceRebuildRestoresLostRows: a rebuild re-reads contacts' topic
// from its beginning and restores the tenant's projection lost from the
// database (and with it the dynamic segments), without bringing back a
// contact deleted or merged away, nor touching another tenant's.
func TestAudienceRebuildRestoresLostRows(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	ada := person{id: uuid.NewString(), first: "Ada", email: "ada@example.com", stage: "lead", version: 1}
	bo := person{id: uuid.NewString(), first: "Bo", email: "bo@example.com", stage: "lead", version: 1}
	cy := person{id: uuid.NewString(), first: "Cy", email: "cy@example.com", stage: "lead", version: 1}
	theirs := person{id: uuid.NewString(), first: "Them", email: "them@example.com", stage: "lead", version: 1}
	e.sendContacts(contactEvent(t, "created", u.tenant, ada), contactEvent(t, "created", u.tenant, bo),
		contactEvent(t, "created", u.tenant, cy), contactEvent(t, "created", other.tenant, theirs))
	ada.first, ada.version, bo.version = "Augusta", 2, 2
	e.sendContacts(contactEvent(t, "updated", u.tenant, ada), contactEvent(t, "deleted", u.tenant, bo))
	e.want(e.do(u, "GET", "/v1/audience/rebuild", nil), 404)
	leads := e.createSegment(u, map[string]any{"name": "Leads", "kind": "dynamic",
		"filter": map[string]any{"field": "lifecycleStage", "op": "eq", "value": "lead"}})
	e.wantMembers(u, leads.ID, "before the loss", ada.id, cy.id)

	if _, err := e.admin.Exec("DELETE FROM audience_contacts WHERE tenant_id = $1", u.tenant); err != nil {
		t.Fatal(err)
	}
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+ada.id, nil), 404)
	e.want(e.do(u.as("marketing:write"), "POST", "/v1/audience/rebuild", nil), 403)
	started := contracttest.Decode[rebuildBody](e.want(e.do(u, "POST", "/v1/audience/rebuild", nil), 202))
	if started.Status != "running" {
		t.Errorf("a rebuild started as %q", started.Status)
	}
	var done rebuildBody
	testkit.Eventually(t, 30*time.Second, "the rebuild ends", func() (bool, string) {
		done = contracttest.Decode[rebuildBody](e.want(e.do(u, "GET", "/v1/audience/rebuild", nil), 200))
		return done.Status != "running", done.Status
	})
	if done.ID != started.ID || done.Status != "completed" || done.Applied != 5 {
		t.Errorf("the rebuild ended %+v, want completed with the tenant's 5 events", done)
	}
	got := contracttest.Decode[audienceBody](e.want(e.do(u, "GET", "/v1/audience/contacts/"+ada.id, nil), 200))
	if got.FirstName != "Augusta" || got.Version != 2 {
		t.Errorf("restored %+v, want Augusta at version 2", got)
	}
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+bo.id, nil), 404)
	e.want(e.do(u, "GET", "/v1/audience/contacts/"+theirs.id, nil), 404)
	e.want(e.do(other, "GET", "/v1/audience/contacts/"+theirs.id, nil), 200)
	e.wantMembers(u, leads.ID, "after the rebuild", ada.id, cy.id)
}
