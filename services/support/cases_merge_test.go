package support_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/cases"
)

func TestCaseMerge(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	svc := e.caseService()
	keep := e.createCase(u, map[string]any{"subject": "Login fails"})
	dup, err := svc.Open(t.Context(), u.tenant, cases.NewCase{Case: cases.Case{Subject: "Cannot log in", Channel: "email"},
		First: &cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorCustomer, AuthorEmail: "bo@example.com", BodyText: "help",
			MessageID: "<dup@example.com>", Attachments: []attachments.Upload{{Name: "shot.txt", Data: []byte("screen")}}}}, "system:email")
	if err != nil {
		t.Fatal(err)
	}
	e.postEntry(u, keep.ID, "notes", map[string]any{"bodyText": "first"}, http.StatusCreated)
	file := e.entriesOf(u, dup.ID)[0].Attachments[0].ID

	merge := func(id, into string, status int) reply {
		t.Helper()
		return e.want(e.do(u, "POST", "/v1/cases/"+id+"/merge", map[string]any{"intoCaseId": into}), status)
	}
	if f := merge(dup.ID, dup.ID, http.StatusUnprocessableEntity).fields(); !slices.Equal(f, []string{"intoCaseId"}) {
		t.Fatalf("fields %v", f)
	}
	if f := merge(dup.ID, uuid.NewString(), http.StatusUnprocessableEntity).fields(); !slices.Equal(f, []string{"intoCaseId"}) {
		t.Fatalf("fields %v", f)
	}
	e.want(e.do(u, "POST", "/v1/cases/"+dup.ID+"/merge", map[string]any{}), http.StatusBadRequest)

	target := contracttest.Decode[cases.Case](merge(dup.ID, keep.ID, http.StatusOK))
	if target.ID != keep.ID || !slices.Contains(target.Links, cases.Link{Type: "case", ID: dup.ID}) {
		t.Fatalf("target %+v", target)
	}
	source := e.readCase(u, dup.ID)
	if source.Status != cases.StatusClosed || source.MergedInto != keep.ID || source.ClosedAt == nil {
		t.Fatalf("source %+v", source)
	}
	if n := len(e.entriesOf(u, dup.ID)); n != 0 {
		t.Fatalf("the source keeps %d entries", n)
	}
	var bodies []string
	for _, en := range e.entriesOf(u, keep.ID) {
		bodies = append(bodies, en.BodyText)
	}
	if !slices.Equal(bodies, []string{"help", "first"}) {
		t.Fatalf("the target's thread %v", bodies)
	}
	// The files moved with the thread: the target's now.
	e.want(e.do(u, "GET", "/v1/cases/"+keep.ID+"/attachments/"+file, nil), http.StatusOK)
	e.want(e.do(u, "GET", "/v1/cases/"+dup.ID+"/attachments/"+file, nil), http.StatusNotFound)
	// The customer's next mail threads to the target.
	if id, ok, err := svc.CaseByMessageID(t.Context(), u.tenant, []string{"<dup@example.com>"}); err != nil || !ok || id != keep.ID {
		t.Fatalf("by message id: %s %v %v", id, ok, err)
	}
	if en, err := svc.Append(t.Context(), u.tenant, dup.ID, cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorCustomer,
		BodyText: "still broken"}, "system:email"); err != nil || en.CaseID != keep.ID {
		t.Fatalf("append to the merged case: %+v %v", en, err)
	}

	// Nothing merges into a merged or closed case, nor does a closed case merge.
	third := e.createCase(u, map[string]any{"subject": "third"})
	merge(third.ID, dup.ID, http.StatusUnprocessableEntity)
	merge(dup.ID, third.ID, http.StatusUnprocessableEntity)
	e.want(e.do(newUser(uuid.NewString()), "POST", "/v1/cases/"+third.ID+"/merge", map[string]any{"intoCaseId": keep.ID}), http.StatusNotFound)

	var types []string
	for _, ev := range e.published() {
		if ev.Subject == dup.ID || ev.Subject == keep.ID {
			types = append(types, ev.Type[len("dev.rapport.support."):len(ev.Type)-3]+"@"+map[bool]string{true: "dup", false: "keep"}[ev.Subject == dup.ID])
		}
	}
	i := slices.Index(types, "case.merged@dup")
	if i < 0 || !slices.Contains(types[i:], "case.updated@keep") {
		t.Fatalf("events %v", types)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

func TestCaseSplit(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	svc := e.caseService()
	contact := uuid.NewString()
	c, err := svc.Open(t.Context(), u.tenant, cases.NewCase{Case: cases.Case{Subject: "Two problems", Channel: "email", ContactID: contact,
		Priority: "high"}, First: &cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorCustomer, BodyText: "printer"}}, "system:email")
	if err != nil {
		t.Fatal(err)
	}
	second, err := svc.Append(t.Context(), u.tenant, c.ID, cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorCustomer,
		BodyText: "and the scanner", Attachments: []attachments.Upload{{Name: "scan.txt", Data: []byte("noise")}}}, "system:email")
	if err != nil {
		t.Fatal(err)
	}
	split := func(entry string, body map[string]any, status int) reply {
		t.Helper()
		return e.want(e.do(u, "POST", fmt.Sprintf("/v1/cases/%s/entries/%s/split", c.ID, entry), body), status)
	}
	split(uuid.NewString(), map[string]any{}, http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), "POST", fmt.Sprintf("/v1/cases/%s/entries/%s/split", c.ID, second.ID), map[string]any{}), http.StatusNotFound)

	n := contracttest.Decode[cases.Case](split(second.ID, map[string]any{}, http.StatusCreated))
	if n.Subject != fmt.Sprintf("Split from #%d", c.Number) || n.ContactID != contact || n.Priority != "high" || n.Channel != "email" ||
		!slices.Equal(n.Links, []cases.Link{{Type: "case", ID: c.ID}}) || n.Number != c.Number+1 {
		t.Fatalf("split %+v", n)
	}
	if src := e.readCase(u, c.ID); !slices.Contains(src.Links, cases.Link{Type: "case", ID: n.ID}) {
		t.Fatalf("the source's links %v", src.Links)
	}
	left, moved := e.entriesOf(u, c.ID), e.entriesOf(u, n.ID)
	if len(left) != 1 || left[0].BodyText != "printer" || len(moved) != 1 || moved[0].ID != second.ID || moved[0].CaseID != n.ID {
		t.Fatalf("left %+v moved %+v", left, moved)
	}
	// Its file is copied to the new case.
	copied := moved[0].Attachments
	if len(copied) != 1 || copied[0].ID == second.Attachments[0].ID || copied[0].Name != "scan.txt" {
		t.Fatalf("attachments %+v", copied)
	}
	e.want(e.do(u, "GET", "/v1/cases/"+n.ID+"/attachments/"+copied[0].ID, nil), http.StatusOK)

	// A subject of one's own; one too long is refused.
	first := e.entriesOf(u, c.ID)[0]
	split(first.ID, map[string]any{"subject": strings.Repeat("x", 501)}, http.StatusBadRequest)
	if m := contracttest.Decode[cases.Case](split(first.ID, map[string]any{"subject": "Printer"}, http.StatusCreated)); m.Subject != "Printer" {
		t.Fatalf("subject %q", m.Subject)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}
