package audit

import (
	"cmp"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/services/gateway/proxy"
)

func TestResourceID(t *testing.T) {
	const id = "0190c5e6-1111-7000-8000-000000000001"
	tests := []struct {
		name, location, path, want string
	}{
		{"created", "/v1/contacts/" + id, "/v1/contacts", id},
		{"absolute location", "https://crm.example/v1/contacts/" + id + "/", "/v1/contacts", id},
		{"id in path", "", "/v1/contacts/" + id, id},
		{"id before a sub-resource", "", "/v1/contacts/" + id + "/tags", id},
		{"no id", "", "/v1/settings", ""},
		{"not a uuid", "", "/v1/tags/vip", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ResourceID(tt.location, tt.path); got != tt.want {
				t.Errorf("ResourceID(%q, %q) = %q, want %q", tt.location, tt.path, got, tt.want)
			}
		})
	}
}

// recorded collects entries in memory; it is a Recorder, not a store.
type recorded struct {
	mu      sync.Mutex
	entries []Entry
}

func (r *recorded) Record(_ context.Context, e Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.entries = append(r.entries, e)
}

func TestMiddlewareRecords(t *testing.T) {
	const id = "0190c5e6-1111-7000-8000-000000000001"
	p := auth.Principal{TenantID: tenantA, UserID: "0190c5e6-0000-7000-8000-000000000101"}
	routes, err := proxy.NewTable(proxy.DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	policy := Policy{Routes: routes, BulkReadLimit: 100}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			w.Header().Set("Location", "/v1/contacts/"+id)
			w.WriteHeader(http.StatusCreated)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNotFound)
		default:
			_, _ = w.Write([]byte("ok"))
		}
	})
	tests := []struct {
		name      string
		method    string
		path      string
		principal bool
		apiKey    string
		policy    Policy
		wantKind  Kind // "": no entry
		wantRes   string
	}{
		{"post", http.MethodPost, "/v1/contacts", true, "", policy, KindRequest, id},
		{"patch", http.MethodPatch, "/v1/contacts/" + id, true, "", policy, KindRequest, id},
		{"put with api key", http.MethodPut, "/v1/contacts/" + id, true, "rpk_abc", policy, KindRequest, id},
		{"delete", http.MethodDelete, "/v1/contacts/" + id, true, "", policy, KindRequest, id},
		{"write of plain data", http.MethodPatch, "/v1/tags/" + id, true, "", policy, KindRequest, id},
		{"write off the routes", http.MethodPost, "/v1/users", true, "", policy, KindRequest, id},
		{"get a contact", http.MethodGet, "/v1/contacts/" + id, true, "", policy, KindRead, id},
		{"head an account", http.MethodHead, "/v1/accounts/" + id, true, "", policy, KindRead, id},
		{"consent history", http.MethodGet, "/v1/contacts/" + id + "/consent-history", true, "", policy, KindRead, id},
		{"duplicates of a record", http.MethodGet, "/v1/accounts/" + id + "/duplicates", true, "", policy, KindRead, id},
		{"search", http.MethodPost, "/v1/contacts/search", true, "", policy, KindRead, id},
		{"export contacts", http.MethodGet, "/v1/contacts/export", true, "", policy, KindExport, ""},
		{"export accounts", http.MethodGet, "/v1/accounts/export", true, "", policy, KindExport, ""},
		{"a contact's personal data", http.MethodGet, "/v1/contacts/" + id + "/personal-data", true, "", policy, KindExport, id},
		{"large page", http.MethodGet, "/v1/contacts?limit=101", true, "", policy, KindBulkRead, ""},
		{"page at the limit", http.MethodGet, "/v1/accounts?limit=100", true, "", policy, "", ""},
		{"page of the default size", http.MethodGet, "/v1/contacts", true, "", policy, "", ""},
		{"page every page is audited", http.MethodGet, "/v1/contacts", true, "", Policy{Routes: routes}, KindBulkRead, ""},
		{"page with a bad limit", http.MethodGet, "/v1/contacts?limit=all", true, "", policy, "", ""},
		{"read of plain data", http.MethodGet, "/v1/tags/" + id, true, "", policy, "", ""},
		{"list of plain data", http.MethodGet, "/v1/custom-fields?limit=200", true, "", policy, "", ""},
		{"options", http.MethodOptions, "/v1/contacts/" + id, true, "", policy, "", ""},
		{"reads without routes", http.MethodGet, "/v1/contacts/" + id, true, "", Policy{}, "", ""},
		{"unauthenticated write", http.MethodPost, "/v1/contacts", false, "", policy, "", ""},
		{"unauthenticated read", http.MethodGet, "/v1/contacts/" + id, false, "", policy, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorded{}
			var h http.Handler = Middleware(rec, tt.policy)(app)
			if tt.principal {
				h = asPrincipal(p, h)
			}
			h = kitx.RequestID(h)
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.RemoteAddr = "203.0.113.7:5555"
			r.Header.Set("X-Request-Id", "req-1")
			// A client cannot name changed fields: only the service's
			// response to the proxy can.
			r.Header.Set(kitx.ChangedFieldsHeader, "forged")
			if tt.apiKey != "" {
				r.Header.Set("Authorization", "Bearer "+tt.apiKey)
			}
			serve(h, r)
			if got := len(rec.entries); (got == 1) != (tt.wantKind != "") || got > 1 {
				t.Fatalf("recorded %d entries, want a %q one", got, tt.wantKind)
			}
			if tt.wantKind == "" {
				return
			}
			e := rec.entries[0]
			checks := []struct{ field, got, want string }{
				{"tenant", e.TenantID, tenantA},
				{"user", e.UserID, p.UserID},
				{"kind", string(e.Kind), string(tt.wantKind)},
				{"client", e.ClientAddr, "203.0.113.7"},
				{"method", e.Method, tt.method},
				{"path", e.Path, strings.Split(tt.path, "?")[0]},
				{"request id", e.RequestID, "req-1"},
			}
			if tt.method != http.MethodGet || tt.wantKind == KindRead {
				checks = append(checks, struct{ field, got, want string }{"resource", e.ResourceID, tt.wantRes})
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if want := map[string]int{http.MethodPost: 201, http.MethodDelete: 404}[tt.method]; e.Status != cmp.Or(want, 200) {
				t.Errorf("status = %d, want %d", e.Status, cmp.Or(want, 200))
			}
			if e.ChangedFields != nil {
				t.Errorf("changed fields = %q, want none: the service named none", e.ChangedFields)
			}
			if (e.APIKeyID != "") != (tt.apiKey != "") || (e.APIKeyID != "" && !strings.HasPrefix(e.APIKeyID, "key_")) {
				t.Errorf("api key id = %q, want one: %v", e.APIKeyID, tt.apiKey != "")
			}
			if e.Time.IsZero() || e.LatencyMS < 0 {
				t.Errorf("time %v latency %d", e.Time, e.LatencyMS)
			}
		})
	}
}

func TestMiddlewareKeepsFlushing(t *testing.T) {
	rec := &recorded{}
	var flushed bool
	h := asPrincipal(auth.Principal{TenantID: tenantA, UserID: "u"}, Middleware(rec, Policy{})(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("part"))
		flushed = http.NewResponseController(w).Flush() == nil
	})))
	serve(h, httptest.NewRequest(http.MethodPost, "/v1/contacts", nil))
	if !flushed {
		t.Error("the wrapped writer cannot flush")
	}
}
