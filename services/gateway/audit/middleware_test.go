package audit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/kitx"
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

func TestMiddlewareRecordsMutatingRequests(t *testing.T) {
	const id = "0190c5e6-1111-7000-8000-000000000001"
	p := auth.Principal{TenantID: tenantA, UserID: "0190c5e6-0000-7000-8000-000000000101"}
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
		name       string
		method     string
		path       string
		principal  bool
		apiKey     string
		wantRecord bool
		wantStatus int
		wantRes    string
	}{
		{"post", http.MethodPost, "/v1/contacts", true, "", true, 201, id},
		{"patch", http.MethodPatch, "/v1/contacts/" + id, true, "", true, 200, id},
		{"put with api key", http.MethodPut, "/v1/contacts/" + id, true, "rpk_abc", true, 200, id},
		{"delete", http.MethodDelete, "/v1/contacts/" + id, true, "", true, 404, id},
		{"get", http.MethodGet, "/v1/contacts", true, "", false, 0, ""},
		{"head", http.MethodHead, "/v1/contacts", true, "", false, 0, ""},
		{"options", http.MethodOptions, "/v1/contacts", true, "", false, 0, ""},
		{"unauthenticated", http.MethodPost, "/v1/contacts", false, "", false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorded{}
			var h http.Handler = Middleware(rec)(app)
			if tt.principal {
				h = asPrincipal(p, h)
			}
			h = kitx.RequestID(h)
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.RemoteAddr = "203.0.113.7:5555"
			r.Header.Set("X-Request-Id", "req-1")
			if tt.apiKey != "" {
				r.Header.Set("Authorization", "Bearer "+tt.apiKey)
			}
			serve(h, r)
			if got := len(rec.entries); (got == 1) != tt.wantRecord || got > 1 {
				t.Fatalf("recorded %d entries, want a record: %v", got, tt.wantRecord)
			}
			if !tt.wantRecord {
				return
			}
			e := rec.entries[0]
			checks := []struct{ field, got, want string }{
				{"tenant", e.TenantID, tenantA},
				{"user", e.UserID, p.UserID},
				{"kind", string(e.Kind), string(KindRequest)},
				{"client", e.ClientAddr, "203.0.113.7"},
				{"method", e.Method, tt.method},
				{"path", e.Path, tt.path},
				{"resource", e.ResourceID, tt.wantRes},
				{"request id", e.RequestID, "req-1"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if e.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d", e.Status, tt.wantStatus)
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
	h := asPrincipal(auth.Principal{TenantID: tenantA, UserID: "u"}, Middleware(rec)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("part"))
		flushed = http.NewResponseController(w).Flush() == nil
	})))
	serve(h, httptest.NewRequest(http.MethodPost, "/v1/contacts", nil))
	if !flushed {
		t.Error("the wrapped writer cannot flush")
	}
}
