package contacts_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/contacts/customer"
)

// consentHistory returns the entries of a contact's consent history that u
// reads through path (with its query), walking every page of limit, as
// "contact channel previous>status at source cause by" lines, newest first.
func (e *env) consentHistory(u user, id, query string, limit int) []string {
	e.t.Helper()
	var out []string
	cursor := ""
	for range 20 {
		r := e.want(e.do(u, "GET", fmt.Sprintf("/v1/contacts/%s/consent-history?limit=%d%s%s", id, limit, query, cursor), nil), http.StatusOK)
		page := contracttest.Decode[customer.Page[consentEntry]](r)
		for _, c := range page.Items {
			if c.ChangedAt == "" || c.ID == "" {
				e.t.Errorf("entry without id or changedAt: %+v", c)
			}
			out = append(out, fmt.Sprintf("%s %s %s>%s %s %s %s %s", c.ContactID, c.Channel, str(c.PreviousStatus),
				str(c.Status), str(c.At), str(c.Source), c.Cause, c.ChangedBy))
		}
		next := page.NextCursor
		if next == "" {
			return out
		}
		cursor = "&cursor=" + next
	}
	e.t.Fatal("the consent history does not end")
	return nil
}

// consentEntry is an entry of a consent history as the API writes it (its
// times as the text it sends).
type consentEntry struct {
	ID             string `json:"id"`
	ContactID      string `json:"contactId"`
	Channel        string `json:"channel"`
	Status         string `json:"status"`
	PreviousStatus string `json:"previousStatus"`
	At             string `json:"at"`
	Source         string `json:"source"`
	Cause          string `json:"cause"`
	ChangedBy      string `json:"changedBy"`
	ChangedAt      string `json:"changedAt"`
}

// str returns a string value, or "-" for none.
func str(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// sortedLines returns lines sorted, for entries of one write (which share
// their time, so their order is by id only).
func sortedLines(lines []string) []string {
	return slices.Sorted(slices.Values(lines))
}

func TestConsentHistory(t *testing.T) {
	e := newEnv(t)
	tenant := uuid.NewString()
	u := newUser(tenant)
	editor := newUser(tenant)
	id := e.created(u, "/v1/contacts", map[string]any{"firstName": "Ada", "consent": map[string]any{
		"email": map[string]any{"status": "granted", "at": "2026-01-10T10:00:00+01:00", "source": "web form"},
		"sms":   map[string]any{"status": "denied"},
	}})
	created := []string{
		id + " email ->granted 2026-01-10T09:00:00Z web form created " + u.id,
		id + " sms ->denied - - created " + u.id,
	}
	if got := e.consentHistory(u, id, "", 50); !slices.Equal(sortedLines(got), created) {
		t.Errorf("after create\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(created, "\n"))
	}

	// An update that leaves consent alone adds nothing; one that changes a
	// channel, removes one and adds one adds an entry for each, newest first.
	e.want(e.do(u, "PATCH", "/v1/contacts/"+id, map[string]any{"jobTitle": "Analyst"}, "If-Match", `"1"`), http.StatusOK)
	e.want(e.do(editor, "PATCH", "/v1/contacts/"+id, map[string]any{"consent": map[string]any{
		"email": map[string]any{"status": "denied", "at": "2026-02-01T12:00:00Z", "source": "unsubscribe link"},
		"sms":   nil,
		"phone": map[string]any{"status": "granted", "source": "call"},
	}}, "If-Match", `"2"`), http.StatusOK)
	updated := []string{
		id + " email granted>denied 2026-02-01T12:00:00Z unsubscribe link updated " + editor.id,
		id + " phone ->granted - call updated " + editor.id,
		id + " sms denied>- - - updated " + editor.id,
	}
	got := e.consentHistory(u, id, "", 2)
	if len(got) != 5 || !slices.Equal(sortedLines(got[:3]), updated) || !slices.Equal(sortedLines(got[3:]), created) {
		t.Errorf("after update, by pages of 2\n%s", strings.Join(got, "\n"))
	}
	if got := e.consentHistory(u, id, "&channel=email", 50); len(got) != 2 || !strings.Contains(got[0], " granted>denied ") {
		t.Errorf("email history\n%s", strings.Join(got, "\n"))
	}

	// Bad input names the parameter.
	for _, tt := range []struct{ query, field string }{
		{"channel=fax", "channel"}, {"limit=0", "limit"}, {"cursor=forged", "cursor"},
	} {
		r := e.want(e.do(u, "GET", "/v1/contacts/"+id+"/consent-history?"+tt.query, nil), http.StatusBadRequest)
		if r.field(tt.field) == "" {
			t.Errorf("%s: %s", tt.query, r.Raw)
		}
	}

	// The contact is read as GET reads it: the caller's scope and tenant.
	owner := user{tenant: tenant, id: uuid.NewString(), scope: "own", perms: []string{"contacts:*"}}
	reader := user{tenant: tenant, id: uuid.NewString(), scope: "all", perms: []string{"contacts:read"}}
	noRead := user{tenant: tenant, id: uuid.NewString(), scope: "all", perms: []string{"contacts:write"}}
	for _, tt := range []struct {
		name string
		u    user
		want int
	}{
		{"reader", reader, 200}, {"other owner", owner, 404}, {"other tenant", newUser(uuid.NewString()), 404},
		{"no read permission", noRead, 403},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.want(e.do(tt.u, "GET", "/v1/contacts/"+id+"/consent-history", nil), tt.want)
		})
	}
	e.want(e.do(u, "GET", "/v1/contacts/"+uuid.NewString()+"/consent-history", nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/contacts/not-a-uuid/consent-history", nil), http.StatusNotFound)

	// A merge records what it changed on the winner, whose history then holds
	// the loser's too; the loser's history redirects to the winner's.
	loser := e.created(u, "/v1/contacts", map[string]any{"firstName": "Augusta", "consent": map[string]any{
		"sms": map[string]any{"status": "granted", "source": "import"}}})
	e.want(e.do(u, "POST", "/v1/contacts/"+id+"/merge", map[string]any{"loserId": loser, "fields": map[string]any{"consent": "loser"}},
		"If-Match", `"3"`), http.StatusOK)
	merged := []string{
		id + " email denied>- - - merged " + u.id,
		id + " phone granted>- - - merged " + u.id,
		id + " sms ->granted - import merged " + u.id,
	}
	got = e.consentHistory(u, id, "", 50)
	if len(got) != 9 || !slices.Equal(sortedLines(got[:3]), merged) || got[3] != loser+" sms ->granted - import created "+u.id {
		t.Errorf("after merge\n%s", strings.Join(got, "\n"))
	}
	r := e.want(e.do(u, "GET", "/v1/contacts/"+loser+"/consent-history", nil), http.StatusMovedPermanently)
	if loc := r.Header.Get("Location"); loc != "/v1/contacts/"+id+"/consent-history" {
		t.Errorf("Location %q", loc)
	}
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/contacts/"+loser+"/consent-history", nil), http.StatusNotFound)

	// Deleted contacts' histories are not read, but kept.
	e.want(e.do(u, "DELETE", "/v1/contacts/"+id, nil), http.StatusNoContent)
	e.want(e.do(u, "GET", "/v1/contacts/"+id+"/consent-history", nil), http.StatusNotFound)
	e.want(e.do(u, "POST", "/v1/contacts/"+id+"/restore", nil), http.StatusOK)
	if got := e.consentHistory(u, id, "", 50); len(got) != 9 {
		t.Errorf("after delete and restore: %d entries, want 9", len(got))
	}

	// The application role may only add to the history.
	err := pg.WithTenantTx(context.Background(), e.app, tenant, func(tx *sqlx.Tx) error {
		for _, q := range []string{"UPDATE consent_history SET status = 'granted'", "DELETE FROM consent_history"} {
			res, err := tx.Exec(q)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 0 {
				t.Errorf("%s changed %d rows", q, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	validateEvents(t, e)
	if tables, err := pg.TablesWithoutRLS(context.Background(), e.admin.DB); err != nil || len(tables) != 0 {
		t.Errorf("tables without RLS: %v %v", tables, err)
	}
}
