package contacts_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"

	"github.com/rapport-crm/rapport/services/contacts/records"
)

// TestBulkTagWaitsForAConcurrentUpdate tags a contact by id while an update
// of it is held open (a trigger waits in its UPDATE for the test): the bulk tag, which
// finds its rows by TID (byIDs), waits for the update and then tags the row
// as updated, so both changes stay. A TID that stopped matching once the row
// had a newer version would have skipped it.
func TestBulkTagWaitsForAConcurrentUpdate(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	id := e.created(u, "/v1/contacts", map[string]any{"firstName": "Linus", "jobTitle": "Engineer"})
	release := e.hold("UPDATE", "contacts", "job_title")
	patched := make(chan reply, 1)
	go func() {
		patched <- e.do(u, "PATCH", "/v1/contacts/"+id, map[string]any{"jobTitle": "hold"}, "If-Match", `"1"`)
	}()
	e.waitForHeld()
	tagged := make(chan reply, 1)
	go func() {
		tagged <- e.do(u, "POST", "/v1/contacts/tags", map[string]any{"ids": []string{id}, "add": []string{"kernel"}})
	}()
	e.waitForLockWaiters(2, "the bulk tag waits for the update", func() bool { return len(tagged) > 0 })
	release()
	r := e.want(<-tagged, http.StatusOK)
	if contracttest.Decode[records.BulkTagResult](r).Updated != 1 {
		t.Errorf("bulk tag: %s, want the contact updated", r.Raw)
	}
	e.want(<-patched, http.StatusOK)
	got := e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK)
	if c := contactOf(got); c.JobTitle != "hold" || !slices.Equal(c.Tags, []string{"kernel"}) {
		t.Errorf("after both: %s, want jobTitle hold and the tag kernel", got.Raw)
	}
	if got.Header.Get("ETag") != `"3"` {
		t.Errorf("ETag %s, want \"3\": the update and the tag each a version", got.Header.Get("ETag"))
	}
}
