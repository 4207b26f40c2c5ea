package support_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/cases"
)

// mergedEvent is a contact.merged or account.merged (typ) of tenant as
// contacts publishes it: loser merged into winner, whose state it carries.
func mergedEvent(t *testing.T, typ, tenant, winner, loser string) events.Event {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	return contactsEventOf(t, typ, winner, tenant, map[string]any{
		"winner": map[string]any{"id": winner, "ownerId": "user-1", "tags": []string{}, "customFields": map[string]any{},
			"createdAt": now, "updatedAt": now, "version": 3, "displayName": "Ada Lovelace"},
		"loserId": loser, "mergedFields": []string{}})
}

func TestCasesFollowContactsMergesAndErasures(t *testing.T) {
	e := newEnv(t)
	u, other := newUser(uuid.NewString()), newUser(uuid.NewString())
	svc := e.caseService()
	a, b, x, w, y := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	c1 := e.createCase(u, map[string]any{"subject": "one", "contactId": a, "accountId": x})
	c2 := e.createCase(u, map[string]any{"subject": "two", "contactId": a})
	c3 := e.createCase(u, map[string]any{"subject": "three", "contactId": b})
	theirs := e.createCase(other, map[string]any{"subject": "theirs", "contactId": a})
	if _, err := svc.Append(t.Context(), u.tenant, c1.ID, cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorCustomer,
		AuthorEmail: "ada@example.com", AuthorName: "Ada Lovelace", BodyText: "hello"}, "system:email"); err != nil {
		t.Fatal(err)
	}
	e.postEntry(u, c1.ID, "notes", map[string]any{"bodyText": "VIP"}, 201)

	e.sendContactsEvents(mergedEvent(t, contactevents.TypeContactMerged, u.tenant, w, a), mergedEvent(t, contactevents.TypeAccountMerged, u.tenant, y, x),
		contactEvent(t, "updated", u.tenant, contactState(b, 2, "")))
	for _, tc := range []struct {
		u                user
		c                cases.Case
		contact, account string
	}{{u, c1, w, y}, {u, c2, w, ""}, {u, c3, b, ""}, {other, theirs, a, ""}} {
		if got := e.readCase(tc.u, tc.c.ID); got.ContactID != tc.contact || got.AccountID != tc.account {
			t.Fatalf("%s: contact %s account %s, want %s %s", tc.c.Subject, got.ContactID, got.AccountID, tc.contact, tc.account)
		}
	}

	e.sendContactsEvents(contactsEventOf(t, contactevents.TypeContactErased, w, u.tenant, map[string]any{"id": w, "tenant": u.tenant,
		"erasedAt": time.Now().UTC().Format(time.RFC3339Nano), "erasedBy": "user-1"}))
	for _, c := range []cases.Case{c1, c2} {
		if got := e.readCase(u, c.ID); got.ContactID != "" {
			t.Fatalf("%s keeps the erased contact", c.Subject)
		}
	}
	thread := e.entriesOf(u, c1.ID)
	if len(thread) != 2 || thread[0].AuthorEmail != "" || thread[0].AuthorName != "" || thread[0].BodyText != "hello" || thread[1].AuthorID != u.id {
		t.Fatalf("thread after the erasure %+v", thread)
	}
	if got := e.readCase(u, c3.ID); got.ContactID != b {
		t.Fatalf("another contact's case changed: %+v", got)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

func TestSupportTablesHaveRowLevelSecurity(t *testing.T) {
	e := newEnv(t)
	tables, err := pg.TablesWithoutRLS(context.Background(), e.admin.DB)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) > 0 {
		t.Fatalf("tenant tables without row-level security: %v", tables)
	}
	for _, table := range []string{"cases", "case_entries", "case_settings", "custom_fields"} {
		var n int
		if err := e.admin.Get(&n, "SELECT count(*) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relname = $1 AND p.polname = 'tenant_isolation'", table); err != nil || n != 1 {
			t.Fatalf("%s: %d tenant_isolation policies (%v)", table, n, err)
		}
	}
}
