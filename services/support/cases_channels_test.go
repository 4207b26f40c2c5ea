package support_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/errs"

	"github.com/rapport-crm/rapport/services/support/cases"
)

func TestCaseChannelsAPI(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	svc := e.caseService()
	ctx := t.Context()
	mail := func(body, messageID string) cases.NewEntry {
		return cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorCustomer, AuthorEmail: "cy@example.com", AuthorName: "Cy",
			Channel: "email", BodyText: body, MessageID: messageID}
	}
	first := mail("my order is late", "<a1@example.com>")
	c, err := svc.Open(ctx, u.tenant, cases.NewCase{Case: cases.Case{Subject: "Order 42", Channel: "email"}, First: &first}, "system:email")
	if err != nil {
		t.Fatal(err)
	}
	if c.Number != 1 || c.CreatedBy != "system:email" || c.Status != cases.StatusNew {
		t.Fatalf("opened %+v", c)
	}
	if got, err := svc.CaseByNumber(ctx, u.tenant, 1); err != nil || got.ID != c.ID {
		t.Fatalf("by number %+v %v", got, err)
	}
	if _, err := svc.CaseByNumber(ctx, u.tenant, 2); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("an unknown number: %v", err)
	}
	if _, err := svc.CaseByNumber(ctx, uuid.NewString(), 1); errs.KindOf(err) != errs.NotFound {
		t.Fatalf("another tenant's number: %v", err)
	}
	for _, tc := range []struct {
		tenant string
		ids    []string
		ok     bool
	}{{u.tenant, []string{"<zz@example.com>", "<a1@example.com>"}, true}, {u.tenant, []string{"<zz@example.com>"}, false},
		{u.tenant, nil, false}, {uuid.NewString(), []string{"<a1@example.com>"}, false}} {
		id, ok, err := svc.CaseByMessageID(ctx, tc.tenant, tc.ids)
		if err != nil || ok != tc.ok || ok && id != c.ID {
			t.Fatalf("%v: %s %v %v", tc.ids, id, ok, err)
		}
	}
	// A mail received twice is one entry.
	again, err := svc.Append(ctx, u.tenant, c.ID, mail("my order is late", "<a1@example.com>"), "system:email")
	if err != nil || len(e.entriesOf(u, c.ID)) != 1 || again.CaseID != c.ID {
		t.Fatalf("the same mail again: %+v %v", again, err)
	}
	// Bad input names the field and writes nothing.
	bad := mail("x", "")
	bad.AuthorEmail = "not an address"
	if _, err := svc.Append(ctx, u.tenant, c.ID, bad, "system:email"); errs.KindOf(err) != errs.Invalid {
		t.Fatalf("a bad author email: %v", err)
	}

	// Solved and reopened by the customer within the window; after it, or once closed, a reply opens a follow-up.
	solve := func(id string) {
		t.Helper()
		got := e.readCase(u, id)
		if got.Status == cases.StatusNew {
			got = contracttest.Decode[cases.Case](e.patchCase(u, got, map[string]any{"status": "open"}, http.StatusOK))
		}
		e.patchCase(u, got, map[string]any{"status": "solved"}, http.StatusOK)
	}
	solve(c.ID)
	if en, err := svc.Append(ctx, u.tenant, c.ID, mail("still late", "<a2@example.com>"), "system:email"); err != nil || en.CaseID != c.ID {
		t.Fatalf("reply within the window: %+v %v", en, err)
	}
	if got := e.readCase(u, c.ID); got.Status != cases.StatusOpen {
		t.Fatalf("a customer's reply left the solved case %s", got.Status)
	}
	solve(c.ID)
	if _, err := e.admin.Exec("UPDATE cases SET solved_at = now() - interval '8 days' WHERE id = $1", c.ID); err != nil {
		t.Fatal(err)
	}
	late, err := svc.Append(ctx, u.tenant, c.ID, mail("new trouble", "<a3@example.com>"), "system:email")
	if err != nil || late.CaseID == c.ID {
		t.Fatalf("reply after the window: %+v %v", late, err)
	}
	follow := e.readCase(u, late.CaseID)
	if follow.Subject != "Order 42" || follow.Status != cases.StatusNew || !slices.Equal(follow.Links, []cases.Link{{Type: "case", ID: c.ID}}) {
		t.Fatalf("follow-up %+v", follow)
	}
	if got := e.readCase(u, c.ID); got.Status != cases.StatusSolved {
		t.Fatalf("the old case became %s", got.Status)
	}
	if id, _, _ := svc.CaseByMessageID(ctx, u.tenant, []string{"<a3@example.com>"}); id != follow.ID {
		t.Fatalf("the follow-up's mail threads to %s", id)
	}
	// An agent's reply through the channel opens a new case; none goes to a closed one.
	agent := cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorAgent, AuthorID: u.id, BodyText: "on it"}
	if _, err := svc.Append(ctx, u.tenant, follow.ID, agent, u.id); err != nil {
		t.Fatal(err)
	}
	if got := e.readCase(u, follow.ID); got.Status != cases.StatusOpen {
		t.Fatalf("after the agent's reply the follow-up is %s", got.Status)
	}
}
