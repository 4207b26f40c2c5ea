package audit

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/pg"
)

// seed writes entries directly through the store and returns them.
func seed(t *testing.T, d *testDB, es ...Entry) []Entry {
	t.Helper()
	for i := range es {
		es[i] = normalize(es[i])
	}
	if err := d.store.insert(t.Context(), es); err != nil {
		t.Fatal(err)
	}
	return es
}

// base is the time of the seeded entries.
var base = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }

func seedMixed(t *testing.T, d *testDB) {
	t.Helper()
	seed(t, d,
		Entry{TenantID: tenantA, Time: at(0), UserID: "alice", Method: "POST", Path: "/v1/contacts", Status: 201},
		Entry{TenantID: tenantA, Time: at(1), UserID: "alice", Method: "PATCH", Path: "/v1/contacts/1", Status: 200},
		Entry{TenantID: tenantA, Time: at(2), UserID: "bob", Method: "DELETE", Path: "/v1/leads/9", Status: 404},
		Entry{TenantID: tenantA, Time: at(3), UserID: "bob", Kind: KindLoginSuccess, Subject: "bob@a.example"},
		Entry{TenantID: tenantA, Time: at(4), Kind: KindLoginFailure, Subject: "mallory@a.example"},
		Entry{TenantID: tenantA, Time: at(5), UserID: "alice", Method: "POST", Path: "/v1/contacts_archive", Status: 201},
		Entry{TenantID: tenantB, Time: at(1), UserID: "carol", Method: "POST", Path: "/v1/contacts", Status: 201},
		Entry{TenantID: tenantB, Time: at(2), UserID: "alice", Method: "PATCH", Path: "/v1/contacts/1", Status: 200},
	)
}

func TestListFilters(t *testing.T) {
	d := newTestDB(t)
	seedMixed(t, d)
	tests := []struct {
		name      string
		tenant    string
		filter    Filter
		wantPaths []string // newest first; login entries show their subject
	}{
		{"everything of A", tenantA, Filter{}, []string{"/v1/contacts_archive", "mallory@a.example", "bob@a.example", "/v1/leads/9", "/v1/contacts/1", "/v1/contacts"}},
		{"everything of B", tenantB, Filter{}, []string{"/v1/contacts/1", "/v1/contacts"}},
		{"from", tenantA, Filter{From: at(4)}, []string{"/v1/contacts_archive", "mallory@a.example"}},
		{"to is exclusive", tenantA, Filter{To: at(1)}, []string{"/v1/contacts"}},
		{"from and to", tenantA, Filter{From: at(1), To: at(3)}, []string{"/v1/leads/9", "/v1/contacts/1"}},
		{"user", tenantA, Filter{UserID: "bob"}, []string{"bob@a.example", "/v1/leads/9"}},
		{"user of another tenant's name", tenantB, Filter{UserID: "alice"}, []string{"/v1/contacts/1"}},
		{"method any case", tenantA, Filter{Method: "patch"}, []string{"/v1/contacts/1"}},
		{"path prefix", tenantA, Filter{PathPrefix: "/v1/contacts"}, []string{"/v1/contacts_archive", "/v1/contacts/1", "/v1/contacts"}},
		{"path prefix with a LIKE wildcard", tenantA, Filter{PathPrefix: "/v1/contacts_"}, []string{"/v1/contacts_archive"}},
		{"path prefix wildcard is literal", tenantA, Filter{PathPrefix: "/v1/%"}, nil},
		{"status", tenantA, Filter{Status: 201}, []string{"/v1/contacts_archive", "/v1/contacts"}},
		{"kind", tenantA, Filter{Kind: KindLoginFailure}, []string{"mallory@a.example"}},
		{"combined", tenantA, Filter{UserID: "alice", Method: "POST", Status: 201, From: at(1)}, []string{"/v1/contacts_archive"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.filter.Limit = 100
			got, next, err := d.store.List(t.Context(), tt.tenant, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if next != nil {
				t.Errorf("next = %v, want nil", next)
			}
			var paths []string
			for _, e := range got {
				if e.TenantID != tt.tenant {
					t.Errorf("entry of tenant %s listed for %s", e.TenantID, tt.tenant)
				}
				p := e.Path
				if e.Kind != KindRequest {
					p = e.Subject
				}
				paths = append(paths, p)
			}
			if len(paths) != len(tt.wantPaths) {
				t.Fatalf("got %v, want %v", paths, tt.wantPaths)
			}
			for i := range paths {
				if paths[i] != tt.wantPaths[i] {
					t.Fatalf("got %v, want %v", paths, tt.wantPaths)
				}
			}
		})
	}
}

// TestReadKindsAndChangedFields stores the kinds of reads, an update's
// changed field names and a token exchange, and lists them back as they
// were.
func TestReadKindsAndChangedFields(t *testing.T) {
	d := newTestDB(t)
	changed := []string{"emails", "firstName", `odd "name" {x}`}
	seed(t, d,
		Entry{TenantID: tenantA, Time: at(0), Kind: KindRead, Method: "GET", Path: "/v1/contacts/1", Status: 200},
		Entry{TenantID: tenantA, Time: at(1), Kind: KindBulkRead, Method: "GET", Path: "/v1/contacts", Status: 200},
		Entry{TenantID: tenantA, Time: at(2), Kind: KindExport, Method: "GET", Path: "/v1/contacts/export", Status: 200},
		Entry{TenantID: tenantA, Time: at(3), Method: "PATCH", Path: "/v1/contacts/1", Status: 200, ChangedFields: changed},
		Entry{TenantID: tenantA, Time: at(4), Kind: KindTokenExchange, Subject: "sales→contacts", Method: "POST", Path: "/internal/v1/token-exchange", Status: 403},
	)
	all, _, err := d.store.List(t.Context(), tenantA, Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []Kind
	for _, e := range all {
		kinds = append(kinds, e.Kind)
	}
	if want := []Kind{KindTokenExchange, KindRequest, KindExport, KindBulkRead, KindRead}; !slices.Equal(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	if x := all[0]; x.Subject != "sales→contacts" || x.Status != 403 {
		t.Errorf("token exchange listed as %+v", x)
	}
	all = all[1:]
	if !slices.Equal(all[0].ChangedFields, changed) {
		t.Errorf("changed fields %q, want %q", all[0].ChangedFields, changed)
	}
	for _, e := range all[1:] {
		if e.ChangedFields != nil {
			t.Errorf("%s %s: changed fields %q, want none", e.Kind, e.Path, e.ChangedFields)
		}
	}
	exports, _, err := d.store.List(t.Context(), tenantA, Filter{Kind: KindExport, Limit: 10})
	if err != nil || len(exports) != 1 || exports[0].Path != "/v1/contacts/export" {
		t.Errorf("kind export lists %+v, %v; want the export", exports, err)
	}
}

func TestRowLevelSecurity(t *testing.T) {
	d := newTestDB(t)
	seedMixed(t, d)
	tests := []struct {
		name   string
		tenant string
		want   int
	}{
		{"tenant A", tenantA, 6},
		{"tenant B", tenantB, 2},
		{"unknown tenant", "0190c5e6-0000-7000-8000-0000000000c3", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n int
			err := pg.WithTenantTx(t.Context(), d.app, tt.tenant, func(tx *sqlx.Tx) error {
				return tx.GetContext(t.Context(), &n, `SELECT count(*) FROM audit_log`)
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.want {
				t.Errorf("rows visible = %d, want %d", n, tt.want)
			}
		})
	}
	t.Run("no tenant sees nothing", func(t *testing.T) {
		var n int
		if err := d.app.GetContext(t.Context(), &n, `SELECT count(*) FROM audit_log`); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("rows visible without a tenant = %d, want 0", n)
		}
	})
	t.Run("cannot write another tenant's entry", func(t *testing.T) {
		err := pg.WithTenantTx(t.Context(), d.app, tenantA, func(tx *sqlx.Tx) error {
			return insertRows(t.Context(), tx, []Entry{normalize(Entry{TenantID: tenantB})})
		})
		if err == nil {
			t.Error("inserting tenant B's entry under tenant A succeeded")
		}
	})
	t.Run("append only", func(t *testing.T) {
		for _, q := range []string{`UPDATE audit_log SET status = 500`, `DELETE FROM audit_log`} {
			err := pg.WithTenantTx(t.Context(), d.app, tenantA, func(tx *sqlx.Tx) error {
				res, err := tx.ExecContext(t.Context(), q)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 0 {
					t.Errorf("%s changed %d rows, want 0", q, n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := d.count(t); got != 8 {
			t.Errorf("rows = %d, want 8", got)
		}
	})
}

func TestHandlerSeparatesTenants(t *testing.T) {
	d := newTestDB(t)
	seedMixed(t, d)
	cursors := newCursors(t)
	h := Handler(d.store, cursors, "")
	tests := []struct {
		name       string
		principal  auth.Principal
		query      string
		wantStatus int
		wantItems  int
	}{
		{"admin of A", auth.Principal{TenantID: tenantA, UserID: "a-admin", Permissions: []string{"*"}}, "", 200, 6},
		{"admin of B", auth.Principal{TenantID: tenantB, UserID: "b-admin", Permissions: []string{"audit:read"}}, "", 200, 2},
		{"admin of B asks for A's user", auth.Principal{TenantID: tenantB, UserID: "b-admin", Permissions: []string{"audit:*"}}, "?userId=bob", 200, 0},
		{"not an admin", auth.Principal{TenantID: tenantA, UserID: "rep", Permissions: []string{"contacts:*"}}, "", 403, 0},
		{"bad filters", auth.Principal{TenantID: tenantA, UserID: "a-admin", Permissions: []string{"*"}}, "?from=yesterday&status=abc&kind=x", 400, 0},
		{"bad limit", auth.Principal{TenantID: tenantA, UserID: "a-admin", Permissions: []string{"*"}}, "?limit=500", 400, 0},
		{"bad cursor", auth.Principal{TenantID: tenantA, UserID: "a-admin", Permissions: []string{"*"}}, "?cursor=forged", 400, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(asPrincipal(tt.principal, h), httptest.NewRequest(http.MethodGet, "/v1/audit"+tt.query, nil))
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			if w.Code != http.StatusOK {
				return
			}
			var page Page
			if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != tt.wantItems {
				t.Errorf("items = %d, want %d", len(page.Items), tt.wantItems)
			}
			for _, e := range page.Items {
				if e.TenantID != tt.principal.TenantID {
					t.Errorf("%s's admin sees an entry of %s", tt.principal.TenantID, e.TenantID)
				}
			}
		})
	}
	t.Run("unauthenticated", func(t *testing.T) {
		if w := serve(h, httptest.NewRequest(http.MethodGet, "/v1/audit", nil)); w.Code != http.StatusUnauthorized {
			t.Errorf("status = %d, want 401", w.Code)
		}
	})
}

func TestHandlerPaginates(t *testing.T) {
	d := newTestDB(t)
	var es []Entry
	for i := range 25 {
		es = append(es, Entry{TenantID: tenantA, Time: at(i / 2), Method: "POST", Path: "/v1/contacts"}) // pairs share a time
	}
	seed(t, d, es...)
	seed(t, d, Entry{TenantID: tenantB, Time: at(3), Method: "POST", Path: "/v1/contacts"})
	h := asPrincipal(auth.Principal{TenantID: tenantA, UserID: "admin", Permissions: []string{"*"}}, Handler(d.store, newCursors(t), ""))

	seen := map[string]bool{}
	var last time.Time
	pages, cursor := 0, ""
	for {
		q := url.Values{"limit": {"10"}, "from": {at(0).Format(time.RFC3339)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		w := serve(h, httptest.NewRequest(http.MethodGet, "/v1/audit?"+q.Encode(), nil))
		if w.Code != http.StatusOK {
			t.Fatalf("page %d: status %d: %s", pages, w.Code, w.Body)
		}
		var page Page
		if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, e := range page.Items {
			if seen[e.ID] {
				t.Fatalf("entry %s listed twice", e.ID)
			}
			if !last.IsZero() && e.Time.After(last) {
				t.Fatalf("entry %s out of order", e.ID)
			}
			seen[e.ID], last = true, e.Time
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if pages != 3 || len(seen) != 25 {
		t.Errorf("pages %d, entries %d; want 3 and 25", pages, len(seen))
	}
}

func TestPrune(t *testing.T) {
	d := newTestDB(t)
	now := time.Now()
	seed(t, d,
		Entry{TenantID: tenantA, Time: now.Add(-500 * 24 * time.Hour), Path: "/old/a"},
		Entry{TenantID: tenantB, Time: now.Add(-401 * 24 * time.Hour), Path: "/old/b"},
		Entry{TenantID: NoTenant, Time: now.Add(-450 * 24 * time.Hour), Kind: KindLoginFailure},
		Entry{TenantID: tenantA, Time: now.Add(-399 * 24 * time.Hour), Path: "/kept/a"},
		Entry{TenantID: tenantB, Time: now.Add(-time.Hour), Path: "/kept/b"},
	)
	tests := []struct {
		name        string
		olderThan   time.Duration
		wantDeleted int64
		wantLeft    int
	}{
		{"default retention", DefaultRetention, 3, 2},
		{"again, nothing to do", DefaultRetention, 0, 2},
		{"a short retention", 24 * time.Hour, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := d.store.Prune(t.Context(), tt.olderThan)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.wantDeleted {
				t.Errorf("deleted %d, want %d", n, tt.wantDeleted)
			}
			if got := d.count(t); got != tt.wantLeft {
				t.Errorf("rows left %d, want %d", got, tt.wantLeft)
			}
		})
	}
	if _, err := d.store.Prune(t.Context(), 0); err == nil {
		t.Error("Prune(0) = nil error")
	}
}

func TestParseRetention(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"400d", 400 * 24 * time.Hour, false},
		{"30d", 30 * 24 * time.Hour, false},
		{"720h", 720 * time.Hour, false},
		{"0d", 0, true},
		{"-5d", 0, true},
		{"soon", 0, true},
		{"d", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRetention(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseRetention(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
