package contacts_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// peopleFile has duplicates within itself — row 4 has row 2's email in
// another case, row 6 row 5's phone written nationally — and row 7 the
// email of a contact the test creates first.
const peopleFile = "Name,Email,Phone,Title,Tags\n" +
	"Ada Lovelace,ada@x.io,,Countess,vip\n" +
	"Alan Turing,alan@x.io,,Mathematician,\n" +
	"Ada L.,ADA@x.io,,Analyst,early\n" +
	"Grace Hopper,,+1 202 555 0101,Admiral,\n" +
	"Grace H,,(202) 555-0101,,\n" +
	"Existing Person,exist@x.io,,,\n"

// peopleMapping maps peopleFile's columns.
var peopleMapping = map[string]string{"Name": "displayName", "Email": "emails", "Phone": "phones", "Title": "jobTitle", "Tags": "tags"}

// contactCount counts the live contacts of u's tenant.
func (e *env) contactCount(u user) int {
	e.t.Helper()
	var n int
	if err := e.admin.Get(&n, `SELECT count(*) FROM contacts WHERE tenant_id = $1 AND deleted_at IS NULL`, u.tenant); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestImportSkipTwiceCreatesNothingNew imports a file with duplicates of
// its own rows and of a stored contact with policy skip, then again: the
// first import creates each person once, the second nothing.
func TestImportSkipTwiceCreatesNothingNew(t *testing.T) {
	e := newImportEnv(t, 1)
	u := newUser(uuid.NewString())
	e.created(u, "/v1/contacts", map[string]any{"displayName": "Existing", "emails": []map[string]any{{"address": "exist@x.io"}}})
	options := map[string]any{"mapping": peopleMapping, "duplicatePolicy": "skip"}
	first := e.importDone(u, e.startImport(u, options, []byte(peopleFile)).ID)
	if first.State != importjob.StateCompleted || counts(first) != [5]int64{6, 3, 0, 3, 0} {
		t.Fatalf("first import %+v, want 6 rows read, 3 created, 3 skipped", first)
	}
	if got := e.contactByEmail(u, "ada@x.io"); got.DisplayName != "Ada Lovelace" || got.JobTitle != "Countess" {
		t.Errorf("Ada is %+v, want the first row's", got)
	}
	before := e.contactCount(u)
	second := e.importDone(u, e.startImport(u, options, []byte(peopleFile)).ID)
	if counts(second) != [5]int64{6, 0, 0, 6, 0} || e.contactCount(u) != before {
		t.Errorf("second import %+v and %d contacts (%d before), want every row skipped and nothing new", second, e.contactCount(u), before)
	}
	if lines := e.importErrors(u, second.ID); len(lines) != 0 {
		t.Errorf("error report %q, want none", lines)
	}
}

// TestImportUpdateAndCreate checks policy update — a row matching a
// contact writes its cells over it (through the write path of every
// update: a version, an updated event naming what changed), one matching an
// earlier row of the file merges into the contact that row made, one that
// changes nothing is skipped — and policy create, which creates every row.
func TestImportUpdateAndCreate(t *testing.T) {
	e := newImportEnv(t, 1)
	u := newUser(uuid.NewString())
	first := e.importDone(u, e.startImport(u, map[string]any{"mapping": peopleMapping}, []byte(peopleFile)).ID)
	if first.Created != 4 {
		t.Fatalf("first import %+v, want 4 created", first)
	}
	ada := e.contactByEmail(u, "ada@x.io")
	update := "Name,Email,Phone,Title,Tags\n" +
		"Ada Lovelace,ada@x.io,,Analyst,early\n" +
		"New One,new@x.io,,,\n" +
		"New One,new@x.io,+44 20 7946 0958,Engineer,\n" +
		"Alan Turing,alan@x.io,,Mathematician,\n"
	im := e.importDone(u, e.startImport(u, map[string]any{"mapping": peopleMapping, "duplicatePolicy": "update"}, []byte(update)).ID)
	if counts(im) != [5]int64{4, 1, 2, 1, 0} {
		t.Fatalf("update import %+v, want 1 created, 2 updated, 1 skipped", im)
	}
	got := e.contactByEmail(u, "ada@x.io")
	if got.Version != ada.Version+1 || got.JobTitle != "Analyst" || !slices.Equal(got.Tags, []string{"vip", "early"}) || got.DisplayName != "Ada Lovelace" {
		t.Errorf("Ada updated to %+v", got)
	}
	if n := e.contactByEmail(u, "new@x.io"); n.JobTitle != "Engineer" || len(n.Phones) != 1 || n.Phones[0].E164 != "+442079460958" || n.Version != 1 {
		t.Errorf("the new contact is %+v, want both rows' cells in one", n)
	}
	_, payloads := e.outboxEvents()
	var changed []string
	for _, p := range payloads {
		if p.typ == customer.Events.Type(customer.EntityContact, customer.VerbUpdated) && p.subject == ada.ID {
			changed = p.state().Changed
		}
	}
	if !slices.Equal(changed, []string{"jobTitle", "tags", "updatedAt", "version"}) && !slices.Equal(changed, []string{"jobTitle", "tags"}) {
		t.Errorf("Ada's contact.updated names %v, want jobTitle and tags", changed)
	}

	before := e.contactCount(u)
	created := e.importDone(u, e.startImport(u, map[string]any{"mapping": peopleMapping, "duplicatePolicy": "create"}, []byte(peopleFile)).ID)
	if counts(created) != [5]int64{6, 6, 0, 0, 0} || e.contactCount(u) != before+6 {
		t.Errorf("create import %+v, %d contacts after %d, want every row created", created, e.contactCount(u), before)
	}
	validateEvents(t, e)
	e.want(e.do(u, "GET", "/v1/imports/"+created.ID, nil), http.StatusOK)
}
