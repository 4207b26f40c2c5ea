package marketing_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/marketing/audience"
	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// TestSegmentsRelativeJobFollowsTime: a segment with a "within" filter is
// computed again by the periodic job, so a contact whose last open falls
// out of the window leaves it without any event of its own; a segment
// computed within the last minute is left alone.
func TestSegmentsRelativeJobFollowsTime(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	ada := person{id: uuid.NewString(), first: "Ada", email: "ada@example.com", version: 1}
	bo := person{id: uuid.NewString(), first: "Bo", email: "bo@example.com", version: 1}
	e.sendContacts(contactEvent(t, "created", u.tenant, ada), contactEvent(t, "created", u.tenant, bo))
	now := time.Now().UTC()
	opened := func(contact string, at time.Time) map[string]any {
		return map[string]any{"id": uuid.NewString(), "sendId": uuid.NewString(), "contactId": contact, "channel": "email",
			"at": at.Format(time.RFC3339Nano)}
	}
	e.sendFacts(marketingEvent(t, "message", "opened", uuid.NewString(), u.tenant, opened(ada.id, now)),
		marketingEvent(t, "message", "opened", uuid.NewString(), u.tenant, opened(bo.id, now.AddDate(0, 0, -40))))
	seg := e.createSegment(u, map[string]any{"name": "Opened lately", "kind": "dynamic",
		"filter": map[string]any{"field": "lastOpenedAt", "op": "within", "value": "30d"}})
	e.wantMembers(u, seg.ID, "at creation", ada.id)

	// Time passes: ada's open is now 31 days old.
	if _, err := e.admin.Exec(`UPDATE audience_contacts SET last_opened_at = now() - interval '31 days' WHERE id = $1`, ada.id); err != nil {
		t.Fatal(err)
	}
	db := outbox.NewDB(testkit.Open(t, e.app), marketingdb.Events, registry.MustTopic("", registry.Marketing))
	job := audience.NewRelative(db, quiet)
	if err := job.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.wantMembers(u, seg.ID, "computed within the minute", ada.id)
	if _, err := e.admin.Exec(`UPDATE segments SET evaluated_at = now() - interval '2 minutes' WHERE id = $1`, seg.ID); err != nil {
		t.Fatal(err)
	}
	if err := job.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.wantMembers(u, seg.ID, "after the window passed", []string{}...)
	if got := e.memberships(seg.ID); !slices.Equal(got, []string{"entered " + ada.id, "left " + ada.id}) {
		t.Errorf("published memberships %v", got)
	}
}
