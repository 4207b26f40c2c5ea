package support_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contactevents"
	"github.com/rapport-crm/rapport/libs/events"

	"github.com/rapport-crm/rapport/services/support/cases"
	"github.com/rapport-crm/rapport/services/support/phone"
)

// callEvent is contacts' activity.created of a call of tenant's contact
// (of account), inbound from +8613800138000, with the support disposition
// disposition when it is set.
func callEvent(t *testing.T, tenant, contact, account, subject, disposition string) events.Event {
	t.Helper()
	id := uuid.NewString()
	related := []map[string]string{{"service": "contacts", "type": "contact", "id": contact}}
	if disposition != "" {
		related = append(related, map[string]string{"service": phone.DispositionService, "type": phone.DispositionType, "id": disposition})
	}
	now := time.Now().UTC()
	return contactsEventOf(t, contactevents.TypeActivityCreated, id, tenant, map[string]any{
		"id": id, "type": "call", "subject": subject, "contactId": contact, "accountId": account, "related": related,
		"assigneeId": uuid.NewString(), "occurredAt": now,
		"call":      map[string]any{"direction": "inbound", "from": "+8613800138000", "startedAt": now, "durationSeconds": 95, "outcome": "answered"},
		"createdBy": uuid.NewString(), "createdAt": now, "updatedAt": now, "version": 1,
	})
}

// phoneCases returns the ids of tenant's phone cases, oldest first.
func (e *env) phoneCases(tenant string) []string {
	e.t.Helper()
	var out []string
	if err := e.admin.Select(&out, "SELECT id FROM cases WHERE tenant_id = $1 AND channel = 'phone' ORDER BY created_at, id", tenant); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// A call with a support disposition opens a phone case for its contact and
// account with the call as a note; the contact's next call lands on that
// case; a call without a disposition opens none, another contact's call
// a case of its own; a call no case can take is skipped.
func TestCallsOpenAndUpdatePhoneCases(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	agent := newUser(tenant)
	contact, account := uuid.NewString(), uuid.NewString()

	e.sendContactsEvents(callEvent(t, tenant, contact, account, "Sales question", ""))
	if got := e.phoneCases(tenant); len(got) != 0 {
		t.Fatalf("a call without a support disposition opened %v", got)
	}
	first := callEvent(t, tenant, contact, account, "Washer leaks", "repair")
	e.sendContactsEvents(first)
	opened := e.phoneCases(tenant)
	if len(opened) != 1 {
		t.Fatalf("phone cases %v, want one", opened)
	}
	kase := e.readCase(agent, opened[0])
	if kase.Subject != "Washer leaks" || kase.ContactID != contact || kase.AccountID != account || kase.Type != "repair" {
		t.Fatalf("case %+v, want the call's subject, contact, account and disposition", kase)
	}
	e.sendContactsEvents(callEvent(t, tenant, contact, account, "Still leaking", "repair"))
	if got := e.phoneCases(tenant); len(got) != 1 {
		t.Fatalf("phone cases %v after the second call, want the first only", got)
	}
	thread := e.entriesOf(agent, kase.ID)
	if len(thread) != 2 {
		t.Fatalf("thread %+v, want the two calls", thread)
	}
	for i, want := range []string{"Washer leaks", "Still leaking"} {
		en := thread[i]
		if en.Kind != cases.KindNote || en.Public || en.Channel != phone.Channel || !strings.Contains(en.BodyText, want) ||
			!strings.Contains(en.BodyText, "+8613800138000") {
			t.Fatalf("entry %d %+v, want an internal note of the call %q", i, en, want)
		}
	}

	e.sendContactsEvents(callEvent(t, tenant, uuid.NewString(), "", "Another caller", "complaint"))
	if got := e.phoneCases(tenant); len(got) != 2 {
		t.Fatalf("phone cases %v, want another contact's call in a case of its own", got)
	}
	e.sendContactsEvents(callEvent(t, tenant, uuid.NewString(), "", strings.Repeat("x", 501), "complaint"))
	if got := e.phoneCases(tenant); len(got) != 2 {
		t.Fatalf("phone cases %v, want a call whose subject no case takes skipped", got)
	}
}
