package contacts_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// activity is a contact's lastActivityAt as the API writes it.
type activity struct {
	LastActivityAt *string `json:"lastActivityAt"`
}

// at is the lastActivityAt, "" for none.
func (a activity) at() string {
	if a.LastActivityAt == nil {
		return ""
	}
	return *a.LastActivityAt
}

func TestLastActivityAt(t *testing.T) {
	e := newEnv(t)
	// Sessions in another time zone: the API still answers in UTC.
	if _, err := e.admin.Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), 'Asia/Shanghai'); END $$`); err != nil {
		t.Fatal(err)
	}
	u := newUser(uuid.NewString())
	id := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace"})
	if r := e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK); contracttest.Decode[activity](r).LastActivityAt != nil {
		t.Errorf("a new contact has lastActivityAt: %s", r.Raw)
	}

	// Activities set it; reads, lists and filters show it.
	setActivityAt := func(id, at string) {
		t.Helper()
		if _, err := e.admin.Exec("UPDATE contacts SET last_activity_at = $2 WHERE id = $1", id, at); err != nil {
			t.Fatal(err)
		}
	}
	setActivityAt(id, "2026-03-01 10:00:00+02")
	const want = "2026-03-01T08:00:00Z"
	if r := e.want(e.do(u, "GET", "/v1/contacts/"+id, nil), http.StatusOK); contracttest.Decode[activity](r).at() != want {
		t.Errorf("lastActivityAt = %v, want %s", contracttest.Decode[activity](r).at(), want)
	}
	r := e.want(e.do(u, "GET", "/v1/contacts?sort=-lastActivityAt&filter="+urlQuery(`{"field":"lastActivityAt","op":"gte","value":"2026-01-01T00:00:00Z"}`), nil), http.StatusOK)
	if list := items[activity](r); len(list) != 1 || list[0].at() != want {
		t.Errorf("filtered list: %s", r.Raw)
	}

	// Requests may not set it.
	r = e.want(e.do(u, "POST", "/v1/contacts", map[string]any{"firstName": "B", "lastActivityAt": want}), http.StatusBadRequest)
	if r.field("lastActivityAt") == "" {
		t.Errorf("create does not name lastActivityAt: %s", r.Raw)
	}
	r = e.want(e.do(u, "PATCH", "/v1/contacts/"+id, map[string]any{"lastActivityAt": nil}, "If-Match", `"1"`), http.StatusBadRequest)
	if r.field("lastActivityAt") == "" {
		t.Errorf("patch does not name lastActivityAt: %s", r.Raw)
	}

	// An update keeps it, and its event carries it.
	r = e.want(e.do(u, "PATCH", "/v1/contacts/"+id, map[string]any{"jobTitle": "Analyst"}, "If-Match", `"1"`), http.StatusOK)
	if got := contracttest.Decode[activity](r).at(); got != want {
		t.Errorf("after an update lastActivityAt = %v, want %s", got, want)
	}
	updated := e.eventsOf("contact.updated")
	if len(updated) != 1 || decodeEvent[activity](updated[0]).at() != want || !slices.Equal(updated[0].state().Changed, []string{"jobTitle"}) {
		t.Errorf("contact.updated events %v", updated)
	}

	// A merge keeps the later of the two.
	loser := e.created(u, "/v1/contacts", map[string]any{"firstName": "Augusta", "lastName": "King"})
	setActivityAt(loser, "2026-04-02 12:30:00+00")
	r = e.want(e.do(u, "POST", "/v1/contacts/"+id+"/merge", map[string]any{"loserId": loser}, "If-Match", `"2"`), http.StatusOK)
	if got := contracttest.Decode[activity](r).at(); got != "2026-04-02T12:30:00Z" {
		t.Errorf("merged lastActivityAt = %v, want the loser's later one", got)
	}
	if merged := e.eventsOf("contact.merged"); len(merged) != 1 || !slices.Contains(merged[0].state().MergedFields, "lastActivityAt") {
		t.Errorf("contact.merged events %v", merged)
	}
	validateEvents(t, e)
}
