package notify

import (
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/pg"
)

// TestAPI walks the HTTP API of one user: the list (unread only, cursor
// pages), the unread count, marking one and all read, the preferences
// (defaults, a change, a bad kind named), and an API key's principal
// without a user refused.
func TestAPI(t *testing.T) {
	e := newEnv(t)
	rep := e.user(t, e.tenantA, "Rep Ray", "ray@example.com", "en", "active")
	e.startConsumer(t, false)
	hub := NewHub(e.appURL, quiet)
	a := e.api(t, hub)
	srv := serve(t, a, e.tenantA, rep)
	for range 3 {
		e.publish(t, e.tenantA, TypeLeadAssigned, leadPayload(rep, ""))
	}
	e.wait(t, e.tenantA, rep, 3)

	var page Page
	call(t, srv, "GET", "/v1/notifications?limit=2", "", 200, &page)
	if len(page.Items) != 2 || page.NextCursor == "" || page.Items[0].ID < page.Items[1].ID {
		t.Fatalf("first page %+v", page)
	}
	var rest Page
	call(t, srv, "GET", "/v1/notifications?limit=2&cursor="+page.NextCursor, "", 200, &rest)
	if len(rest.Items) != 1 || rest.NextCursor != "" || rest.Items[0].ID > page.Items[1].ID {
		t.Fatalf("second page %+v", rest)
	}
	var n Notification
	call(t, srv, "POST", "/v1/notifications/"+page.Items[0].ID+"/read", "", 200, &n)
	if n.ReadAt == nil {
		t.Errorf("marked read: %+v", n)
	}
	var count UnreadCount
	call(t, srv, "GET", "/v1/notifications/unread-count", "", 200, &count)
	var unread Page
	call(t, srv, "GET", "/v1/notifications?unread=true", "", 200, &unread)
	if count.Count != 2 || len(unread.Items) != 2 {
		t.Errorf("unread: count %d, list %d; want 2", count.Count, len(unread.Items))
	}
	if body := call(t, srv, "GET", "/v1/notifications?unread=maybe", "", 400, nil); !strings.Contains(body, `"field":"unread"`) {
		t.Errorf("bad unread: %s", body)
	}
	var marked Marked
	call(t, srv, "POST", "/v1/notifications/read-all", "", 200, &marked)
	call(t, srv, "GET", "/v1/notifications/unread-count", "", 200, &count)
	if marked.Marked != 2 || count.Count != 0 {
		t.Errorf("read all marked %d, unread now %d", marked.Marked, count.Count)
	}
	call(t, srv, "POST", "/v1/notifications/0190c5e6-0000-7000-8000-000000000000/read", "", 404, nil)

	var prefs Preferences
	call(t, srv, "GET", "/v1/notification-preferences", "", 200, &prefs)
	if len(prefs.Items) != len(Kinds()) {
		t.Fatalf("preferences %+v", prefs)
	}
	call(t, srv, "PUT", "/v1/notification-preferences", `{"items":[{"kind":"note.mention","inApp":true,"email":false}]}`, 200, &prefs)
	for _, p := range prefs.Items {
		if p.Kind == KindNoteMention && p.Email || p.Kind == KindLeadAssigned && !p.Email {
			t.Errorf("after the change: %+v", p)
		}
	}
	if body := call(t, srv, "PUT", "/v1/notification-preferences", `{"items":[{"kind":"nope","inApp":true,"email":true}]}`, 400, nil); !strings.Contains(body, `"field":"items/0/kind"`) {
		t.Errorf("bad kind: %s", body)
	}
	if body := call(t, srv, "PUT", "/v1/notification-preferences", `{"items":[{"kind":"note.mention","inApp":true}]}`, 400, nil); !strings.Contains(body, `"field":"items/0/email"`) {
		t.Errorf("a missing switch: %s", body)
	}
	call(t, serve(t, a, e.tenantA, ""), "GET", "/v1/notifications", "", 403, nil)
}

// TestIsolation checks a user's notifications are out of reach of the
// same user id under another tenant, and that the tables are under RLS.
func TestIsolation(t *testing.T) {
	e := newEnv(t)
	rep := e.user(t, e.tenantA, "Rep Ray", "ray@example.com", "en", "active")
	e.startConsumer(t, false)
	e.publish(t, e.tenantA, TypeLeadAssigned, leadPayload(rep, ""))
	mine := e.wait(t, e.tenantA, rep, 1)[0]
	srv := serve(t, e.api(t, NewHub(e.appURL, quiet)), e.tenantB, rep)
	var page Page
	call(t, srv, "GET", "/v1/notifications", "", 200, &page)
	if len(page.Items) != 0 {
		t.Errorf("another tenant sees %+v", page.Items)
	}
	call(t, srv, "POST", "/v1/notifications/"+mine.ID+"/read", "", 404, nil)
	// Even a query without the tenant in its WHERE sees only its tenant's.
	var seen int
	err := pg.WithTenantTx(t.Context(), e.app, e.tenantB, func(tx *sqlx.Tx) error {
		return tx.Get(&seen, `SELECT count(*) FROM notifications`)
	})
	if err != nil || seen != 0 {
		t.Errorf("tenant B counts %d notifications (%v)", seen, err)
	}
	bare, err := pg.TablesWithoutRLS(t.Context(), e.admin.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range bare {
		if strings.HasPrefix(table, "notification") {
			t.Errorf("%s is not under row-level security", table)
		}
	}
}
