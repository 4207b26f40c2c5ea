package support_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// contactsSchemas are contacts' event schemas: the events these tests send
// are checked against them, so they are the events contacts publishes.
const contactsSchemas = "../contacts/api/events"

// contactState is a contact's full state as contacts' events carry it:
// version, account ("" for none) and email addresses (the first primary).
func contactState(id string, version int, account string, emails ...string) map[string]any {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	list := make([]map[string]any, len(emails))
	for i, a := range emails {
		list[i] = map[string]any{"address": a, "primary": i == 0}
	}
	c := map[string]any{"id": id, "ownerId": "user-1", "tags": []string{}, "customFields": map[string]any{}, "createdAt": now,
		"updatedAt": now, "version": version, "displayName": "Customer " + id[:8], "emails": list, "phones": []any{}}
	if account != "" {
		c["accountId"] = account
	}
	return c
}

// contactEvent is contact.<verb> of tenant carrying state (contactState).
func contactEvent(t *testing.T, verb, tenant string, state map[string]any) events.Event {
	t.Helper()
	if verb == "updated" {
		state["changed"] = []string{"emails"}
	}
	if verb == "deleted" {
		state["deletedAt"] = state["updatedAt"]
	}
	return contactsEventOf(t, "dev.rapport.contacts.contact."+verb+".v1", state["id"].(string), tenant, state)
}

// sendContacts checks evs against contacts' schemas and has the service
// consume them.
func (e *env) sendContacts(evs ...events.Event) {
	e.t.Helper()
	contracttest.ValidateEvents(e.t, contactsSchemas, evs)
	e.sendContactsEvents(evs...)
}

// wantCustomer fails the test unless the case id, read as u, names contact
// and account ("" for none).
func (e *env) wantCustomer(u user, id, contact, account, what string) {
	e.t.Helper()
	if got := e.readCase(u, id); got.ContactID != contact || got.AccountID != account {
		e.t.Errorf("%s: contact %q account %q, want %q %q", what, got.ContactID, got.AccountID, contact, account)
	}
}

// TestCustomersMatchMailPortalAndChat: a case a mail, the portal or a chat
// opens gets the one live contact of the tenant whose address (any of its
// addresses, regardless of case) the customer's is, and its account; an
// address no contact has, several share, or only a deleted contact or
// another tenant's has, opens a case without one.
func TestCustomersMatchMailPortalAndChat(t *testing.T) {
	t.Setenv("SUPPORT_PORTAL_KEY", string(portalKey))
	t.Setenv("SUPPORT_PORTAL_CASES_PER_HOUR", "100")
	e := newMailEnv(t)
	u, other := e.newTenant("help@acme.test"), e.newTenant("help@other.test")
	ada, account, bo, cy, gone, theirs := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	e.sendContacts(
		contactEvent(t, "created", u.tenant, contactState(ada, 1, account, "ada@example.com", "Ada.Work@Example.com")),
		contactEvent(t, "created", u.tenant, contactState(bo, 1, "", "family@example.com")),
		contactEvent(t, "created", u.tenant, contactState(cy, 1, "", "bo@example.com", "family@example.com")),
		contactEvent(t, "created", u.tenant, contactState(gone, 1, "", "gone@example.com")),
		contactEvent(t, "deleted", u.tenant, contactState(gone, 2, "", "gone@example.com")),
		contactEvent(t, "created", other.tenant, contactState(theirs, 1, "", "ada.work@example.com", "stranger@example.com")),
	)

	mailFrom := func(from, to string) string {
		t.Helper()
		id := mid(1)
		if err := e.smtpSend(from, []string{to}, msg("It does not start.", "From", from, "To", to, "Subject", "Broken",
			"Message-ID", "<"+id+">")); err != nil {
			t.Fatal(err)
		}
		return e.caseOf(id)
	}
	e.wantCustomer(u, mailFrom("ADA.work@example.COM", "help@acme.test"), ada, account, "a mail from a second address")
	e.wantCustomer(u, mailFrom("bo@example.com", "help@acme.test"), cy, "", "a mail from a contact without an account")
	e.wantCustomer(other, mailFrom("ada.work@example.com", "help@other.test"), theirs, "", "the other tenant's mail")
	e.wantCustomer(u, mailFrom("stranger@example.com", "help@acme.test"), "", "", "another tenant's contact's address")
	e.wantCustomer(u, mailFrom("nobody@example.com", "help@acme.test"), "", "", "an unknown address")
	e.wantCustomer(u, mailFrom("family@example.com", "help@acme.test"), "", "", "an address two contacts share")
	e.wantCustomer(u, mailFrom("gone@example.com", "help@acme.test"), "", "", "a deleted contact's address")

	e.want(e.do(portalUser(u.tenant), "POST", "/portal/v1/cases", map[string]any{"name": "Ada", "email": "Ada@Example.com",
		"subject": "From the portal", "description": "It does not start."}), 202)
	e.wantCustomer(u, e.submittedCases(u.tenant, "ada@example.com")[0], ada, account, "the portal")
	e.wantCustomer(u, e.submitCase(u.tenant, "nobody@example.com", "From the portal"), "", "", "the portal, unknown")
	_, sess := e.startChat(u.tenant, "Ada", "ada@example.com")
	e.wantCustomer(u, sess.CaseID, ada, account, "a chat")

	given := e.createCase(u, map[string]any{"subject": "by an agent"})
	e.wantCustomer(u, given.ID, "", "", "a case an agent creates without a contact")
}

// TestCustomersFollowContacts: the match follows contacts' events. A
// contact's new address matches and its old one no longer; an event
// delivered late with an earlier version changes nothing; a restored
// contact matches again; a contact merged into another stops matching,
// even on a late event of its own, and the winner matches with its
// addresses; a merged account is followed; an erased contact is forgotten.
func TestCustomersFollowContacts(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	svc := e.caseService()
	open := func(address string) string {
		t.Helper()
		c, err := svc.Open(t.Context(), u.tenant, cases.NewCase{Case: cases.Case{Subject: "Help", Channel: "email"},
			First: &cases.NewEntry{Kind: cases.KindReply, Public: true, AuthorType: cases.AuthorCustomer, AuthorEmail: address,
				BodyText: "help", Channel: "email"}}, "system:email")
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	ada, winner, account, survivor := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	e.sendContacts(
		contactEvent(t, "created", u.tenant, contactState(ada, 1, account, "ada@example.com")),
		contactEvent(t, "updated", u.tenant, contactState(ada, 3, account, "ada@new.example")),
		contactEvent(t, "updated", u.tenant, contactState(ada, 2, account, "ada@example.com")),
	)
	e.wantCustomer(u, open("ada@new.example"), ada, account, "the new address")
	e.wantCustomer(u, open("ada@example.com"), "", "", "the old address, also after a late earlier version")

	e.sendContacts(contactEvent(t, "deleted", u.tenant, contactState(ada, 4, account, "ada@new.example")))
	e.wantCustomer(u, open("ada@new.example"), "", "", "a deleted contact")
	e.sendContacts(contactEvent(t, "restored", u.tenant, contactState(ada, 5, account, "ada@new.example")))
	e.wantCustomer(u, open("ada@new.example"), ada, account, "a restored contact")

	merged := contactState(winner, 2, account, "winner@example.com", "ada@new.example")
	e.sendContacts(
		contactsEventOf(t, "dev.rapport.contacts.contact.merged.v1", winner, u.tenant, map[string]any{"winner": merged, "loserId": ada,
			"mergedFields": []string{"emails"}}),
		contactEvent(t, "updated", u.tenant, contactState(ada, 6, account, "ada@new.example", "ada@late.example")),
		contactsEventOf(t, "dev.rapport.contacts.account.merged.v1", survivor, u.tenant, map[string]any{"winner": map[string]any{
			"id": survivor, "ownerId": "user-1", "tags": []string{}, "customFields": map[string]any{}, "createdAt": merged["createdAt"],
			"updatedAt": merged["updatedAt"], "version": 2, "name": "Acme"}, "loserId": account, "mergedFields": []string{}}),
	)
	e.wantCustomer(u, open("ada@new.example"), winner, survivor, "the merged contact's address")
	e.wantCustomer(u, open("ada@late.example"), "", "", "a late event of the merged contact")

	e.sendContacts(contactsEventOf(t, "dev.rapport.contacts.contact.erased.v1", winner, u.tenant, map[string]any{"id": winner,
		"tenant": u.tenant, "erasedAt": time.Now().UTC().Format(time.RFC3339Nano), "erasedBy": "user-1"}))
	e.wantCustomer(u, open("winner@example.com"), "", "", "an erased contact")
	var kept int
	if err := e.admin.Get(&kept, `SELECT count(*) FROM customer_emails WHERE tenant_id = $1`, u.tenant); err != nil || kept != 0 {
		t.Fatalf("%d addresses kept after the erasure (%v)", kept, err)
	}
	var retired bool
	if err := e.admin.Get(&retired, `SELECT retired AND account_id IS NULL FROM customer_contacts WHERE tenant_id = $1 AND contact_id = $2`,
		u.tenant, winner); err != nil || !retired {
		t.Fatalf("the erased contact is not retired (%v)", err)
	}
}
