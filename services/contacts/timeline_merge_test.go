package contacts_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/services/contacts/timeline"
)

// A merged record's history goes with it: the winner's timeline holds the
// loser's entries (and those of records merged into the loser before), a
// timeline of the loser redirects to the winner's, and an event naming the
// loser after the merge lands in the winner's timeline and moves the
// winner's lastActivityAt.
func TestTimelineFollowsMerges(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	now := time.Now().UTC().Truncate(time.Second)
	winner := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "lastName": "Lovelace"})
	loser := e.created(u, "/v1/contacts", map[string]any{"firstName": "Augusta", "lastName": "King"})
	older := e.created(u, "/v1/contacts", map[string]any{"firstName": "Augusta Ada", "lastName": "Byron"})
	note := e.logActivity(u, map[string]any{"type": "note", "contactId": older, "subject": "from long ago",
		"occurredAt": rfc3339(now.Add(-5 * time.Hour))})
	call := e.logActivity(u, map[string]any{"type": "call", "contactId": loser,
		"call": map[string]any{"direction": "inbound", "startedAt": rfc3339(now.Add(-2 * time.Hour)), "durationSeconds": 30}})
	opened := e.publishForeign("support", "dev.rapport.support.case.created.v1", uuid.NewString(), u.tenant, now.Add(-3*time.Hour),
		map[string]any{"contactId": loser})
	e.waitEntry(u, "/v1/contacts/"+loser+"/timeline", opened)

	// older into loser, then loser into winner.
	e.want(e.do(u, "POST", "/v1/contacts/"+loser+"/merge", map[string]any{"loserId": older}, "If-Match", `"1"`), http.StatusOK)
	e.want(e.do(u, "POST", "/v1/contacts/"+winner+"/merge", map[string]any{"loserId": loser, "fields": map[string]any{"firstName": "loser"}},
		"If-Match", `"1"`), http.StatusOK)

	path := "/v1/contacts/" + winner + "/timeline"
	page := e.timelineOf(u, path)
	merged := page.Items[0]
	if merged.Type != timeline.TypeMerged || merged.MergedID != loser || merged.RecordID != winner ||
		!slices.Contains(merged.MergedFields, "firstName") {
		t.Errorf("first entry %+v, want the merge of %s", merged, loser)
	}
	for id, record := range map[string]string{call.ID: loser, note.ID: older, opened: loser, loser: loser, older: older, winner: winner} {
		if x := entryOf(t, page, id); x.RecordID != record {
			t.Errorf("entry %s (%s) of %s, want of %s", id, x.Type, x.RecordID, record)
		}
	}
	if x := entryOf(t, page, older); x.Type != timeline.TypeCreated {
		t.Errorf("the merged-in contact's creation is %s", x.Type)
	}
	if got := page.Items[len(page.Items)-1].ID; got != note.ID {
		t.Errorf("last entry %s, want the oldest note %s", got, note.ID)
	}

	// The loser's timeline is the winner's, as its GET is.
	for _, gone := range []string{loser, older} {
		r := e.want(e.do(u, "GET", "/v1/contacts/"+gone+"/timeline", nil), http.StatusMovedPermanently)
		if loc := r.Header.Get("Location"); loc != path {
			t.Errorf("Location %q, want %s", loc, path)
		}
	}

	// Another service still names the loser: the entry is the winner's too.
	won := e.publishForeign("sales", "dev.rapport.sales.opportunity.won.v1", uuid.NewString(), u.tenant, now.Add(-time.Minute),
		map[string]any{"contactId": older, "name": "Late news"})
	e.waitEntry(u, path, won)
	if got := e.lastActivity(u, "/v1/contacts/"+winner); got != rfc3339(now.Add(-time.Minute)) {
		t.Errorf("winner's lastActivityAt %q, want %s", got, rfc3339(now.Add(-time.Minute)))
	}
}

// Accounts merge their timelines as contacts do.
func TestAccountTimelineFollowsMerges(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	winner := e.created(u, "/v1/accounts", map[string]any{"name": "Acme"})
	loser := e.created(u, "/v1/accounts", map[string]any{"name": "Acme Ltd"})
	meeting := e.logActivity(u, map[string]any{"type": "meeting", "accountId": loser, "subject": "Kick-off",
		"meeting": map[string]any{"startAt": "2026-01-05T09:00:00Z", "endAt": "2026-01-05T10:00:00Z"}})
	e.want(e.do(u, "POST", "/v1/accounts/"+winner+"/merge", map[string]any{"loserId": loser}, "If-Match", `"1"`), http.StatusOK)
	page := e.timelineOf(u, "/v1/accounts/"+winner+"/timeline")
	if got := typesOf(page.Items); !slices.Equal(got, []string{timeline.TypeMerged, timeline.TypeCreated, timeline.TypeCreated, "meeting"}) {
		t.Errorf("winner's timeline %v", got)
	}
	if x := entryOf(t, page, meeting.ID); x.RecordID != loser {
		t.Errorf("meeting entry of %s, want of the loser", x.RecordID)
	}
	r := e.want(e.do(u, "GET", "/v1/accounts/"+loser+"/timeline", nil), http.StatusMovedPermanently)
	if loc := r.Header.Get("Location"); loc != "/v1/accounts/"+winner+"/timeline" {
		t.Errorf("Location %q", loc)
	}
}
