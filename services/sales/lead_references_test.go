package sales_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/registry"
)

// convertedLead creates a lead as u and marks it converted into contact
// and account as conversion writes it (the harness runs no contacts
// service to convert through).
func convertedLead(e *env, u user, body map[string]any, contact, account string) string {
	e.t.Helper()
	l := createLead(e, u, body)
	if _, err := e.admin.Exec(`UPDATE leads SET status = 'converted', converted_at = now(), converted_contact_id = $2,
		converted_account_id = $3, version = 2 WHERE id = $1`, l.ID, contact, account); err != nil {
		e.t.Fatal(err)
	}
	return l.ID
}

// Contacts' merges re-point the conversion links of the leads converted
// into the loser, and an erasure takes the person's data out of the leads
// converted into the erased contact (deleted ones too), each publishing
// lead.updated naming what changed; leads converted into others, and
// another tenant's naming the same ids, stay as they were.
func TestContactsMergesAndErasuresReachLeads(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	loser, winner, erased, kept := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	accLoser, accWinner := uuid.NewString(), uuid.NewString()
	person := map[string]any{"firstName": "Ada", "lastName": "Lovelace", "title": "Countess", "email": "ada@example.com",
		"phone": "+44 20 7946 0958", "company": "Analytical Engines", "tags": []string{"vip"}}
	merged := convertedLead(e, u, person, loser, accLoser)
	gone := convertedLead(e, u, person, erased, accWinner)
	deleted := convertedLead(e, u, person, erased, accWinner)
	e.want(e.do(u, "DELETE", "/v1/leads/"+deleted, nil, "If-Match", kitx.ETag(2)), 204)
	untouched := convertedLead(e, u, person, kept, accWinner)
	theirs := convertedLead(e, other, person, erased, accLoser)

	evs := []events.Event{contactMerged(t, u.tenant, winner, loser), accountMerged(t, u.tenant, accWinner, accLoser), contactErased(t, u.tenant, erased)}
	contracttest.ValidateEvents(t, "../contacts/api/events", evs)
	e.send(registry.Contacts, evs...)
	e.waitInbox(evs[2].ID)

	if l := readLead(e, u, merged); l.ConvertedContactID != winner || l.ConvertedAccountID != accWinner || l.LastName != "Lovelace" || l.Version != 4 {
		t.Errorf("merged: contact %s, account %s, lastName %q, version %d", l.ConvertedContactID, l.ConvertedAccountID, l.LastName, l.Version)
	}
	for _, id := range []string{gone, deleted} {
		l := readLead(e, u, id)
		if l.FirstName != "" || l.LastName != "" || l.Title != "" || l.Email != "" || l.Phone != "" || l.PhoneE164 != "" ||
			l.Company != "Analytical Engines" || l.Status != "converted" || l.ConvertedContactID != erased || fmt.Sprint(l.Tags) != "[vip]" {
			t.Errorf("erased %s: %+v", id, l)
		}
	}
	if l := readLead(e, u, untouched); l.LastName != "Lovelace" || l.Version != 2 {
		t.Errorf("a lead of another contact: lastName %q, version %d", l.LastName, l.Version)
	}
	if l := readLead(e, other, theirs); l.LastName != "Lovelace" || l.ConvertedAccountID != accLoser || l.Version != 2 {
		t.Errorf("another tenant's lead: lastName %q, account %s, version %d", l.LastName, l.ConvertedAccountID, l.Version)
	}
	for id, want := range map[string][][]string{
		merged: {{"convertedContactId"}, {"convertedAccountId"}},
		gone:   {{"email", "firstName", "lastName", "phone", "phoneE164", "title"}},
	} {
		if got := changes(e, "lead", id); fmt.Sprint(sorted(got)) != fmt.Sprint(want) {
			t.Errorf("lead.updated of %s changed %v, want %v", id, got, want)
		}
	}
	validateEvents(t, e)
}
