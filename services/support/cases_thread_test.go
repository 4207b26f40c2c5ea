package support_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/support/attachments"
	"github.com/rapport-crm/rapport/services/support/cases"
)

// reply posts a reply (or, with kind "notes", a note) to the case id as
// u, wanting status.
func (e *env) postEntry(u user, id, kind string, body map[string]any, status int) reply {
	e.t.Helper()
	return e.want(e.do(u, "POST", "/v1/cases/"+id+"/"+kind, body), status)
}

func TestCaseRepliesNotesAndAttachments(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	c := e.createCase(u, map[string]any{"subject": "VPN drops", "channel": "email"})

	// A note keeps a new case new and is not public.
	note := contracttest.Decode[cases.Entry](e.postEntry(u, c.ID, "notes", map[string]any{"bodyText": "checking logs"}, http.StatusCreated))
	if note.Public || note.Kind != "note" || note.AuthorType != "agent" || note.AuthorID != u.id || note.CaseID != c.ID {
		t.Fatalf("note %+v", note)
	}
	if got := e.readCase(u, c.ID); got.Status != cases.StatusNew {
		t.Fatalf("after a note the case is %s", got.Status)
	}
	// The agent's first public reply opens it; its HTML is sanitised and gives the text.
	r := contracttest.Decode[cases.Entry](e.postEntry(u, c.ID, "replies",
		map[string]any{"bodyHtml": `<p>Hi <script>alert(1)</script><b onclick="x()">there</b></p>`}, http.StatusCreated))
	if !r.Public || r.Channel != "email" || strings.Contains(r.BodyHTML, "script") || strings.Contains(r.BodyHTML, "onclick") ||
		!strings.Contains(r.BodyHTML, "<b>there</b>") || r.BodyText != "Hi there" {
		t.Fatalf("reply %+v", r)
	}
	if got := e.readCase(u, c.ID); got.Status != cases.StatusOpen {
		t.Fatalf("after a reply the case is %s", got.Status)
	}
	// A reply sets the status in the same request, as a PATCH would.
	e.postEntry(u, c.ID, "replies", map[string]any{"bodyText": "Can you send the log?", "status": "pending_customer"}, http.StatusCreated)
	if got := e.readCase(u, c.ID); got.Status != cases.StatusPendingCustomer {
		t.Fatalf("status %s", got.Status)
	}
	bad := e.postEntry(u, c.ID, "replies", map[string]any{"bodyText": "x", "status": "new"}, http.StatusUnprocessableEntity)
	if f := bad.fields(); !slices.Equal(f, []string{"status"}) {
		t.Fatalf("fields %v", f)
	}

	// The customer answers by mail with a file (the channels' Go API): the case is open again.
	svc := e.caseService()
	mail, err := svc.Append(t.Context(), u.tenant, c.ID, cases.NewEntry{Kind: cases.KindReply, AuthorType: cases.AuthorCustomer,
		AuthorEmail: "ada@example.com", AuthorName: "Ada", Channel: "email", BodyText: "log attached", MessageID: "<m1@example.com>",
		Attachments: []attachments.Upload{{Name: "vpn.log", ContentType: "text/plain", Data: []byte("line 1\nline 2\n")}}}, "system:email")
	if err != nil {
		t.Fatal(err)
	}
	if len(mail.Attachments) != 1 || mail.Attachments[0].Name != "vpn.log" || mail.Attachments[0].Size != 14 || mail.CaseID != c.ID {
		t.Fatalf("mail %+v", mail)
	}
	if got := e.readCase(u, c.ID); got.Status != cases.StatusOpen {
		t.Fatalf("after the customer's reply the case is %s", got.Status)
	}
	// An agent's note references the file; another case's file or an unknown one is refused, naming it.
	file := mail.Attachments[0].ID
	withFile := contracttest.Decode[cases.Entry](e.postEntry(u, c.ID, "notes", map[string]any{"bodyText": "see the log", "attachmentIds": []string{file}}, http.StatusCreated))
	if len(withFile.Attachments) != 1 || withFile.Attachments[0].ID != file {
		t.Fatalf("note with file %+v", withFile)
	}
	other := e.createCase(u, map[string]any{"subject": "other"})
	for _, id := range []string{file, uuid.NewString()} {
		r := e.postEntry(u, other.ID, "replies", map[string]any{"bodyText": "x", "attachmentIds": []string{id}}, http.StatusUnprocessableEntity)
		if f := r.fields(); !slices.Equal(f, []string{"attachmentIds/0"}) {
			t.Fatalf("fields %v", f)
		}
	}
	// Bad bodies name the field.
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{{map[string]any{}, "bodyText"}, {map[string]any{"bodyText": "x", "public": true}, "public"},
		{map[string]any{"bodyText": "x", "attachmentIds": []string{"nope"}}, "attachmentIds/0"}} {
		if f := e.postEntry(u, c.ID, "replies", tc.body, http.StatusBadRequest).fields(); !slices.Contains(f, tc.field) {
			t.Fatalf("%v: fields %v", tc.body, f)
		}
	}
	e.want(e.do(u, "POST", "/v1/cases/"+c.ID+"/notes", map[string]any{"bodyText": "x", "status": "open"}), http.StatusBadRequest)

	// The thread, oldest first, in pages.
	var all []cases.Entry
	path := "/v1/cases/" + c.ID + "/entries?limit=2"
	for range 10 {
		page := contracttest.Decode[cases.EntryPage](e.want(e.do(u, "GET", path, nil), http.StatusOK))
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			break
		}
		path = "/v1/cases/" + c.ID + "/entries?limit=2&cursor=" + page.NextCursor
	}
	var kinds []string
	for _, en := range all {
		kinds = append(kinds, en.Kind+"/"+en.AuthorType)
	}
	if want := []string{"note/agent", "reply/agent", "reply/agent", "reply/customer", "note/agent"}; !slices.Equal(kinds, want) {
		t.Fatalf("thread %v, want %v", kinds, want)
	}

	// Another tenant sees no thread and cannot write to it.
	stranger := newUser(uuid.NewString())
	e.want(e.do(stranger, "GET", "/v1/cases/"+c.ID+"/entries", nil), http.StatusNotFound)
	e.postEntry(stranger, c.ID, "replies", map[string]any{"bodyText": "hi"}, http.StatusNotFound)
	e.postEntry(u.as("support:read"), c.ID, "notes", map[string]any{"bodyText": "hi"}, http.StatusForbidden)
	contracttest.ValidateEvents(t, "api/events", e.published())
}
