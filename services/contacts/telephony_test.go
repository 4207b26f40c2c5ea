package contacts_test

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/contacts/telephony"
)

// lookup GETs the phone lookup of number as u and wants 200.
func (e *env) lookup(u user, number string) telephony.Match {
	e.t.Helper()
	return contracttest.Decode[telephony.Match](e.want(e.do(u, "GET", "/v1/lookup/phone/"+url.PathEscape(number), nil), http.StatusOK))
}

// contactIDs returns the ids of a match's contacts, in order.
func contactIDs(m telephony.Match) []string {
	var out []string
	for _, c := range m.Contacts {
		out = append(out, c.ID)
	}
	return out
}

func TestPhoneLookup(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.want(e.do(u, "PUT", "/v1/settings", map[string]any{"defaultRegion": "CN"}), http.StatusOK)
	acme := e.created(u, "/v1/accounts", map[string]any{"name": "Acme"})
	phone := func(n string) []map[string]any { return []map[string]any{{"number": "010 6552 9988"}, {"number": n}} }
	older := e.create(u, "contacts", map[string]any{"firstName": "Older", "phones": phone("+86 138 0013 8000"), "ownerId": "someone"})
	recent := e.create(u, "contacts", map[string]any{"firstName": "Recent", "phones": phone("13800138000"), "accountId": acme})
	deleted := e.create(u, "contacts", map[string]any{"firstName": "Deleted", "phones": phone("138-0013-8000")})
	e.want(e.do(u, "DELETE", "/v1/contacts/"+deleted, nil), http.StatusNoContent)
	other := newUser(uuid.NewString())
	e.want(e.do(other, "PUT", "/v1/settings", map[string]any{"defaultRegion": "CN"}), http.StatusOK)
	e.create(other, "contacts", map[string]any{"firstName": "Foreign", "phones": phone("13800138000")})
	e.logActivity(u, map[string]any{"type": "note", "contactId": recent, "body": "spoke"})

	// Every format of the number finds the same live contacts of the
	// tenant, the most recently active first, and their accounts.
	for _, n := range []string{"+8613800138000", "0086 138 0013 8000", "138 0013 8000", "(138) 0013-8000"} {
		m := e.lookup(u, n)
		if m.Number != "+8613800138000" || !slices.Equal(contactIDs(m), []string{recent, older}) || len(m.Accounts) != 1 || m.Accounts[0].ID != acme ||
			m.Contacts[0].AccountName != "Acme" || m.Contacts[0].LastActivityAt == nil {
			t.Errorf("lookup %q = %+v", n, m)
		}
	}
	// A landline shared by both; a number nobody has; one that is no number.
	if m := e.lookup(u, "+86 10 6552 9988"); len(m.Contacts) != 2 {
		t.Errorf("the shared landline finds %v", contactIDs(m))
	}
	if m := e.lookup(u, "+49 30 1234567"); len(m.Contacts) != 0 || len(m.Accounts) != 0 || m.Number != "+49301234567" {
		t.Errorf("an unknown number finds %+v", m)
	}
	if r := e.want(e.do(u, "GET", "/v1/lookup/phone/abc", nil), http.StatusBadRequest); r.field("number") == "" {
		t.Errorf("a bad number: %s", r.Raw)
	}
	// The caller's record scope applies: someone else's contact is hidden.
	own := user{tenant: u.tenant, id: "someone", scope: auth.ScopeOwn, perms: []string{"contacts:read"}}
	if m := e.lookup(own, "13800138000"); !slices.Equal(contactIDs(m), []string{older}) || len(m.Accounts) != 0 {
		t.Errorf("in the own scope: %+v", m)
	}
}

func TestLogCalls(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.want(e.do(u, "PUT", "/v1/settings", map[string]any{"defaultRegion": "US"}), http.StatusOK)
	acme := e.created(u, "/v1/accounts", map[string]any{"name": "Acme"})
	ada := e.create(u, "contacts", map[string]any{"firstName": "Ada", "accountId": acme, "phones": []map[string]any{{"number": "(415) 555-0100"}}})
	call := map[string]any{"externalId": "pbx-1", "direction": "inbound", "from": "+1 415 555 0100", "to": "200",
		"startedAt": "2026-03-02T09:30:00Z", "durationSeconds": 42, "outcome": "answered", "recordingUrl": "https://pbx.example.com/1.wav"}

	// The call is linked to the caller found by number, and to its account.
	r := e.want(e.do(u, "POST", "/v1/calls", call), http.StatusCreated)
	logged := activityOf(r)
	if logged.Type != "call" || logged.ContactID == nil || *logged.ContactID != ada || logged.AccountID == nil || *logged.AccountID != acme ||
		logged.Call.ExternalID != "pbx-1" || logged.Call.FromE164 != "+14155550100" || r.Header.Get("Location") != "/v1/activities/"+logged.ID {
		t.Errorf("logged %+v %+v", logged, logged.Call)
	}
	if got := e.lastActivity(u, "/v1/contacts/"+ada); got != "2026-03-02T09:30:00Z" {
		t.Errorf("lastActivityAt %q", got)
	}

	// The same external id again, even with other details, is that call.
	call["durationSeconds"] = 99
	if again := activityOf(e.want(e.do(u, "POST", "/v1/calls", call), http.StatusOK)); again.ID != logged.ID || again.Call.DurationSeconds != 42 {
		t.Errorf("a repeat logged %+v", again)
	}
	// A repeat by a caller who may not see the call is refused.
	agent := user{tenant: u.tenant, id: "agent-2", scope: auth.ScopeOwn, perms: []string{"contacts:*"}}
	e.want(e.do(agent, "POST", "/v1/calls", call), http.StatusConflict)

	// So is a concurrent repeat: one call logged, every answer the same.
	call["externalId"] = "pbx-2"
	var wg sync.WaitGroup
	replies := make([]reply, 8)
	for i := range replies {
		wg.Go(func() { replies[i] = e.do(u, "POST", "/v1/calls", call) })
	}
	wg.Wait()
	created, ids := 0, map[string]bool{}
	for _, r := range replies {
		if r.Status == http.StatusCreated {
			created++
		}
		ids[activityOf(r).ID] = true
	}
	if created != 1 || len(ids) != 1 {
		t.Errorf("8 concurrent posts of one call: %d created, %d ids", created, len(ids))
	}

	// An outbound call to a number nobody has, or to an extension, is logged
	// unlinked; no external id, or a bad direction, is refused.
	out := activityOf(e.want(e.do(u, "POST", "/v1/calls", map[string]any{"externalId": "pbx-3", "direction": "outbound", "from": "200",
		"to": "+44 20 7946 0000", "startedAt": "2026-03-02T10:00:00Z"}), http.StatusCreated))
	if out.ContactID != nil || out.Call.ToE164 != "+442079460000" {
		t.Errorf("an unknown callee: %+v %+v", out, out.Call)
	}
	e.want(e.do(u, "POST", "/v1/calls", map[string]any{"externalId": "pbx-4", "direction": "outbound", "to": "201", "startedAt": "2026-03-02T10:00:00Z"}), http.StatusCreated)
	if r := e.want(e.do(u, "POST", "/v1/calls", map[string]any{"externalId": " ", "direction": "up", "startedAt": "2026-03-02T10:00:00Z"}), http.StatusBadRequest); r.field("externalId") == "" {
		t.Errorf("no external id: %s", r.Raw)
	}
	if r := e.want(e.do(u, "POST", "/v1/calls", map[string]any{"externalId": "pbx-5", "direction": "up", "startedAt": "2026-03-02T10:00:00Z"}), http.StatusBadRequest); r.field("direction") == "" {
		t.Errorf("a bad direction: %s", r.Raw)
	}
	var calls int
	if err := e.admin.Get(&calls, "SELECT count(*) FROM activities WHERE type = 'call'"); err != nil || calls != 4 {
		t.Errorf("%d calls logged (%v), want 4", calls, err)
	}
	validateEvents(t, e)
}
