package contacts_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"

	"github.com/rapport-crm/rapport/services/contacts/timeline"
)

// idsOf returns the ids of entries, in order.
func idsOf(entries []timeline.Entry) []string {
	var out []string
	for _, x := range entries {
		out = append(out, x.ID)
	}
	return out
}

func TestTimelinePagesAndTypeFilter(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	now := time.Now().UTC().Truncate(time.Second)
	contact := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada"})
	other := e.created(u, "/v1/contacts", map[string]any{"firstName": "Grace"})
	var notes []string
	for i := range 5 {
		// Two notes at the same time: the id breaks the tie.
		at := now.Add(-time.Duration(1+i/2*2) * time.Hour)
		notes = append(notes, e.logActivity(u, map[string]any{"type": "note", "contactId": contact, "subject": fmt.Sprint("note ", i),
			"occurredAt": rfc3339(at)}).ID)
	}
	for v, title := range []string{"CTO", "CEO"} {
		e.want(e.do(u, "PATCH", "/v1/contacts/"+contact, map[string]any{"jobTitle": title}, "If-Match", fmt.Sprintf(`"%d"`, v+1)), http.StatusOK)
	}
	path := "/v1/contacts/" + contact + "/timeline"
	all := e.timelineOf(u, path).Items
	if len(all) != 8 {
		t.Fatalf("timeline: %v, want 8 entries (5 notes, 2 updates, the creation)", typesOf(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.At.Before(b.At) || a.At.Equal(b.At) && a.ID <= b.ID {
			t.Errorf("entries %d and %d out of order: %v %s, %v %s", i-1, i, a.At, a.ID, b.At, b.ID)
		}
	}

	// Pages of 3 hold the same entries in the same order.
	var paged []string
	cursor := ""
	for range 4 {
		page := e.timelineOf(u, path+"?limit=3&cursor="+cursor)
		paged = append(paged, idsOf(page.Items)...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if !slices.Equal(paged, idsOf(all)) || cursor != "" {
		t.Errorf("pages of 3: %v (next %q), want %v", paged, cursor, idsOf(all))
	}

	// Type filters: types, categories, both.
	for _, tt := range []struct {
		filter string
		want   int
	}{{"note", 5}, {"record", 3}, {"record.updated", 2}, {"record.created,note", 6}, {"activity,record.updated", 7}, {"sales,call", 0}} {
		page := e.timelineOf(u, path+"?type="+tt.filter)
		if len(page.Items) != tt.want {
			t.Errorf("type=%s: %v, want %d entries", tt.filter, typesOf(page.Items), tt.want)
		}
	}
	notesFirst := e.timelineOf(u, path+"?type=note&limit=2")
	rest := e.timelineOf(u, path+"?type=note&cursor="+notesFirst.NextCursor)
	if got := slices.Concat(idsOf(notesFirst.Items), idsOf(rest.Items)); len(got) != 5 || !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(notes))) {
		t.Errorf("notes in pages of 2: %v, want %v", got, notes)
	}

	// Bad input names the parameter.
	r := e.want(e.do(u, "GET", path+"?type=note,sales.opportunity.haunted", nil), http.StatusBadRequest)
	if r.field("type") == "" || !strings.Contains(r.problem().Detail, "sales.opportunity.haunted") {
		t.Errorf("bad type: %s", r.Raw)
	}
	r = e.want(e.do(u, "GET", "/v1/contacts/"+other+"/timeline?cursor="+notesFirst.NextCursor, nil), http.StatusBadRequest)
	if r.field("cursor") == "" {
		t.Errorf("a cursor of another timeline: %s", r.Raw)
	}
	e.want(e.do(u, "GET", path+"?cursor=forged", nil), http.StatusBadRequest)
	e.want(e.do(u, "GET", path+"?limit=0", nil), http.StatusBadRequest)
}

// A timeline is read as the record is: outside the caller's scope, of
// another tenant, deleted or not an id it is 404; and its activities are
// those the caller may see.
func TestTimelineRecordScope(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	boss := newUser(tenant)
	own := user{tenant: tenant, id: uuid.NewString(), scope: auth.ScopeOwn, perms: []string{"contacts:read", "contacts:write"}}
	stranger := user{tenant: tenant, id: uuid.NewString(), scope: auth.ScopeOwn, perms: []string{"contacts:read"}}
	contact := e.created(own, "/v1/contacts", map[string]any{"firstName": "Ada"})
	account := e.created(boss, "/v1/accounts", map[string]any{"name": "Acme"})
	mine := e.logActivity(own, map[string]any{"type": "note", "contactId": contact, "subject": "mine"})
	bosss := e.logActivity(boss, map[string]any{"type": "note", "contactId": contact, "subject": "the boss's"})

	path := "/v1/contacts/" + contact + "/timeline"
	if got := idsOf(e.timelineOf(boss, path).Items); !slices.Contains(got, mine.ID) || !slices.Contains(got, bosss.ID) {
		t.Errorf("the boss sees %v, want both notes", got)
	}
	if got := idsOf(e.timelineOf(own, path).Items); !slices.Contains(got, mine.ID) || slices.Contains(got, bosss.ID) {
		t.Errorf("the owner sees %v, want their note and not the boss's", got)
	}
	e.want(e.do(stranger, "GET", path, nil), http.StatusNotFound)
	e.want(e.do(own, "GET", "/v1/accounts/"+account+"/timeline", nil), http.StatusNotFound)
	e.want(e.do(newUser(uuid.NewString()), "GET", path, nil), http.StatusNotFound)
	e.want(e.do(boss, "GET", "/v1/contacts/"+uuid.NewString()+"/timeline", nil), http.StatusNotFound)
	e.want(e.do(boss, "GET", "/v1/contacts/nope/timeline", nil), http.StatusNotFound)
	e.want(e.do(boss, "GET", "/v1/accounts/"+contact+"/timeline", nil), http.StatusNotFound)
	e.want(e.do(own, "DELETE", "/v1/contacts/"+contact, nil, "If-Match", `"1"`), http.StatusNoContent)
	e.want(e.do(boss, "GET", path, nil), http.StatusNotFound)
	e.want(e.do(boss, "POST", "/v1/contacts/"+contact+"/restore", nil), http.StatusOK)
	page := e.timelineOf(boss, path)
	if got := typesOf(page.Items); len(got) < 2 || got[0] != timeline.TypeRestored || got[1] != timeline.TypeDeleted {
		t.Errorf("after a delete and a restore: %v", got)
	}
}
