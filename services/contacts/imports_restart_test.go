package contacts_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/importjob"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// numberedFile is a file of n contacts, row i (from 0) called "Person i"
// with email p<i>@x.io, but row held, called "hold": a write of it waits in
// env.hold's trigger.
func numberedFile(n, held int) []byte {
	var b strings.Builder
	b.WriteString("First,Email\n")
	for i := range n {
		name := fmt.Sprintf("Person %d", i)
		if i == held {
			name = "hold"
		}
		fmt.Fprintf(&b, "%s,p%d@x.io\n", name, i)
	}
	return []byte(b.String())
}

// TestImportResumesAfterARestart stops the instance running an import
// while its second chunk is being written and starts another on the same
// database: the first chunk stays, the second is written again by the new
// instance, which finishes the file — every row imported once, none lost.
func TestImportResumesAfterARestart(t *testing.T) {
	e := newImportEnv(t, 0)
	u := newUser(uuid.NewString())
	const rows = 2500
	stop := e.replica()
	release := e.hold("INSERT", "contacts", "first_name")
	im := e.startImport(u, map[string]any{"mapping": map[string]string{"First": "firstName", "Email": "emails"}}, numberedFile(rows, 1500))
	e.waitForHeld()
	stop() // the instance holding the job, its second chunk held
	mid := contracttest.Decode[importjob.Import](e.want(e.do(u, "GET", "/v1/imports/"+im.ID, nil), http.StatusOK))
	release()
	if mid.State != importjob.StateRunning || mid.RowsRead != 1000 || mid.Created != 1000 {
		t.Fatalf("stopped: %+v, want it running with its first chunk of 1000 rows", mid)
	}
	e.replica()
	done := e.importDone(u, im.ID)
	if done.State != importjob.StateCompleted || counts(done) != [5]int64{rows, rows, 0, 0, 0} {
		t.Fatalf("resumed import %+v, want every row created once", done)
	}
	var n, distinct int
	if err := e.admin.QueryRow(`SELECT count(*), count(DISTINCT primary_email) FROM contacts WHERE tenant_id = $1`, u.tenant).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != rows || distinct != rows {
		t.Errorf("%d contacts, %d distinct emails, want %d of each", n, distinct, rows)
	}
	if err := e.admin.Get(&n, `SELECT count(*) FROM import_records WHERE import_id = $1 AND action = 'created'`, im.ID); err != nil || n != rows {
		t.Errorf("%d contacts noted as the import's (%v), want %d", n, err, rows)
	}
}

// TestImportCancel cancels a queued import and a running one: what a
// running one imported stays, it imports no more, and each publishes
// import.completed once, cancelled; a second DELETE is a conflict. The
// cancel waits for the running chunk; the runner may lock the import's
// new row version for its next chunk before the waiting cancel does
// (PostgreSQL queues a row lock's waiters on the version they found), so
// the cancel lands after the first chunk or a later one, never within
// one: the file is long enough that it lands before the end.
func TestImportCancel(t *testing.T) {
	e := newImportEnv(t, 1)
	u := newUser(uuid.NewString())
	mapping := map[string]any{"mapping": map[string]string{"First": "firstName", "Email": "emails"}}
	release := e.hold("INSERT", "contacts", "first_name")
	const rows, chunk = 10000, 1000
	running := e.startImport(u, mapping, numberedFile(rows, 0))
	e.waitForHeld() // its first chunk
	queued := e.startImport(u, mapping, numberedFile(10, -1))
	cancelled := contracttest.Decode[importjob.Import](e.want(e.do(u, "DELETE", "/v1/imports/"+queued.ID, nil), http.StatusOK))
	if cancelled.State != importjob.StateCancelled || cancelled.FinishedAt == nil {
		t.Errorf("cancelled %+v", cancelled)
	}
	var wg sync.WaitGroup
	var r reply
	wg.Go(func() { r = e.do(u, "DELETE", "/v1/imports/"+running.ID, nil) })
	e.waitForLockWaiters(2, "the cancel waits for the chunk", nil)
	release()
	wg.Wait()
	got := contracttest.Decode[importjob.Import](e.want(r, http.StatusOK))
	if got.State != importjob.StateCancelled || got.Created < chunk || got.Created%chunk != 0 || got.Created >= rows {
		t.Errorf("cancelled while running: %+v, want whole chunks imported, the first at least, not all", got)
	}
	e.want(e.do(u, "DELETE", "/v1/imports/"+running.ID, nil), http.StatusConflict)
	if got := e.importDone(u, queued.ID); got.RowsRead != 0 {
		t.Errorf("the import cancelled while queued read %d rows", got.RowsRead)
	}
	var files int
	if err := e.admin.Get(&files, `SELECT count(*) FROM import_files`); err != nil || files != 0 {
		t.Errorf("%d parts of files left (%v), want none", files, err)
	}
	_, payloads := e.outboxEvents()
	ended := map[string]int{}
	for _, p := range payloads {
		if p.typ == customer.Events.Type(customer.EventImport, customer.VerbCompleted) {
			ended[p.subject]++
			if s := decodeEvent[importjob.Import](p); s.State != importjob.StateCancelled {
				t.Errorf("import.completed of %s says %s", p.subject, s.State)
			}
		}
	}
	if ended[queued.ID] != 1 || ended[running.ID] != 1 {
		t.Errorf("import.completed published %v times, want once each", ended)
	}
	if n := e.contactCount(u); n != int(got.Created) {
		t.Errorf("%d contacts after the cancel, want the %d its chunks created before it", n, got.Created)
	}
}

// TestImportIsItsCreators checks who sees an import: its creator and an
// administrator of the tenant; not another writer of the tenant, nor a
// reader, nor another tenant.
func TestImportIsItsCreators(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	im := e.startImport(u, map[string]any{"mapping": map[string]string{"First": "firstName", "Email": "emails"}}, numberedFile(3, -1))
	writer := user{tenant: u.tenant, id: uuid.NewString(), scope: u.scope, perms: []string{"contacts:read", "contacts:write"}}
	reader := user{tenant: u.tenant, id: uuid.NewString(), scope: u.scope, perms: []string{"contacts:read"}}
	other := newUser(uuid.NewString())
	for _, path := range []string{"/v1/imports/" + im.ID, "/v1/imports/" + im.ID + "/errors"} {
		e.want(e.do(u, "GET", path, nil), http.StatusOK)
		e.want(e.do(writer, "GET", path, nil), http.StatusNotFound)
		e.want(e.do(reader, "GET", path, nil), http.StatusForbidden)
		e.want(e.do(other, "GET", path, nil), http.StatusNotFound)
	}
	e.want(e.do(writer, "DELETE", "/v1/imports/"+im.ID, nil), http.StatusNotFound)
	e.want(e.do(other, "DELETE", "/v1/imports/"+im.ID, nil), http.StatusNotFound)
	admin := user{tenant: u.tenant, id: uuid.NewString(), scope: u.scope, perms: []string{"contacts:read", "contacts:write", "contacts:admin"}}
	e.want(e.do(admin, "DELETE", "/v1/imports/"+im.ID, nil), http.StatusOK)

	// The list: a writer's own imports, newest first, page by page; an
	// administrator's, the tenant's; a reader may not list.
	mapping := map[string]any{"mapping": map[string]string{"First": "firstName", "Email": "emails"}}
	mine := []string{e.startImport(writer, mapping, numberedFile(1, -1)).ID, e.startImport(writer, mapping, numberedFile(1, -1)).ID}
	list := func(u user, query string) customer.Page[importjob.Import] {
		return contracttest.Decode[customer.Page[importjob.Import]](e.want(e.do(u, "GET", "/v1/imports"+query, nil), http.StatusOK))
	}
	ids := func(p customer.Page[importjob.Import]) (out []string) {
		for _, im := range p.Items {
			out = append(out, im.ID)
		}
		return out
	}
	first := list(writer, "?limit=1")
	if !slices.Equal(ids(first), mine[1:]) || first.NextCursor == "" {
		t.Errorf("the writer's first page %v (next %q), want its newest import %s", ids(first), first.NextCursor, mine[1])
	}
	if second := list(writer, "?limit=1&cursor="+url.QueryEscape(first.NextCursor)); !slices.Equal(ids(second), mine[:1]) || second.NextCursor != "" {
		t.Errorf("the writer's second page %v (next %q), want %s and no more", ids(second), second.NextCursor, mine[0])
	}
	if got := ids(list(admin, "")); !slices.Equal(got, []string{mine[1], mine[0], im.ID}) {
		t.Errorf("the administrator lists %v, want the tenant's three imports newest first", got)
	}
	if got := ids(list(other, "")); len(got) != 0 {
		t.Errorf("another tenant lists %v", got)
	}
	e.want(e.do(reader, "GET", "/v1/imports", nil), http.StatusForbidden)
	e.want(e.do(writer, "GET", "/v1/imports?cursor=forged", nil), http.StatusBadRequest)
}
