package proxy

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/registry"
)

func TestTableMatch(t *testing.T) {
	table, err := NewTable(append(DefaultRoutes(), Route{Prefix: "/v1/contacts/imports", Service: "imports"}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, path string
		wantOK       bool
		wantService  string
		wantPerm     string
	}{
		{"POST", "/v1/contacts", true, "contacts", "contacts:write"},
		{"GET", "/v1/contacts", true, "contacts", "contacts:read"},
		{"HEAD", "/v1/contacts/0190c5e6", true, "contacts", "contacts:read"},
		{"PATCH", "/v1/accounts/1", true, "contacts", "contacts:write"},
		{"DELETE", "/v1/tags/1", true, "contacts", "contacts:write"},
		{"GET", "/v1/custom-fields", true, "contacts", "contacts:read"},
		{"PUT", "/v1/settings", true, "contacts", "contacts:write"},
		{"GET", "/v1/saved-views/7", true, "contacts", "contacts:read"},
		{"POST", "/v1/saved-views", true, "contacts", "contacts:read"}, // a caller's own saved query
		{"PATCH", "/v1/saved-views/7", true, "contacts", "contacts:read"},
		{"DELETE", "/v1/saved-views/7", true, "contacts", "contacts:read"},
		{"POST", "/v1/duplicate-scans", true, "contacts", "contacts:write"},
		{"POST", "/v1/contacts/search", true, "contacts", "contacts:read"}, // a query, not a write
		{"POST", "/v1/accounts/search", true, "contacts", "contacts:read"},
		{"DELETE", "/v1/contacts/search", true, "contacts", "contacts:write"},
		{"GET", "/v1/leads", true, "sales", "sales:read"},
		{"POST", "/v1/opportunities", true, "sales", "sales:write"},
		{"GET", "/v1/pipelines", true, "sales", "sales:read"},
		{"GET", "/v1/products", true, "sales", "sales:read"},
		{"POST", "/v1/quotes/1/approve", true, "sales", "sales:write"},
		{"GET", "/v1/segments", true, "marketing", "marketing:read"},
		{"POST", "/v1/campaigns", true, "marketing", "marketing:write"},
		{"GET", "/v1/cases", true, "support", "support:read"},
		{"GET", "/v1/kb/articles", true, "support", "support:read"},
		{"GET", "/v1/reports/funnel", true, "reporting", "reporting:read"},
		{"OPTIONS", "/v1/reports", true, "reporting", "reporting:write"},
		{"POST", "/v1/contacts/imports", true, "imports", "imports:write"}, // longest prefix wins
		{"GET", "/v1/contacts/imports/9", true, "imports", "imports:read"},
		{"GET", "/v1/contactsx", false, "", ""},
		{"GET", "/v1/users", false, "", ""},
		{"GET", "/v1", false, "", ""},
		{"GET", "/", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			got, ok := table.Match(tt.path)
			if ok != tt.wantOK {
				t.Fatalf("Match ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if got.Service != tt.wantService {
				t.Errorf("service = %q, want %q", got.Service, tt.wantService)
			}
			if perm := got.Permission(tt.method); perm != tt.wantPerm {
				t.Errorf("permission = %q, want %q", perm, tt.wantPerm)
			}
		})
	}
}

func TestTableServices(t *testing.T) {
	table, err := NewTable(DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := table.Services(), []string{"contacts", "marketing", "reporting", "sales", "support"}; !slices.Equal(got, want) {
		t.Errorf("Services() = %v, want %v", got, want)
	}
}

func TestDefaultRoutesData(t *testing.T) {
	table, err := NewTable(DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]Data{
		"/v1/contacts":                   PersonalData,
		"/v1/contacts/1/consent-history": PersonalData,
		"/v1/accounts/1/duplicates":      PersonalData,
		"/v1/contacts/search":            PersonalData,
		"/v1/accounts/export":            ExportData,
		"/v1/contacts/export":            ExportData,
		"/v1/tags/1":                     PlainData,
		"/v1/custom-fields":              PlainData,
		"/v1/settings":                   PlainData,
		"/v1/saved-views":                PlainData,
		"/v1/leads/1":                    PlainData,
	} {
		if got, ok := table.Match(path); !ok || got.Data != want {
			t.Errorf("%s: data %v (found %v), want %v", path, got.Data, ok, want)
		}
	}
}

func TestRequireRoute(t *testing.T) {
	table, err := NewTable(DefaultRoutes())
	if err != nil {
		t.Fatal(err)
	}
	h := RequireRoute(table)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized) // as the authentication behind it would
	}))
	for path, want := range map[string]int{
		"/v1/contacts/1":        http.StatusUnauthorized,
		"/metrics":              http.StatusNotFound,
		"/v1/nothing":           http.StatusNotFound,
		"/v1/contacts/../users": http.StatusNotFound,
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != want {
			t.Errorf("GET %s = %d, want %d", path, w.Code, want)
		}
		if want == http.StatusNotFound && w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET %s: Content-Type %q, want application/problem+json", path, w.Header().Get("Content-Type"))
		}
	}
}

func TestNewTableRejects(t *testing.T) {
	tests := []struct {
		name   string
		routes []Route
	}{
		{"no leading slash", []Route{{Prefix: "v1/x", Service: "x"}}},
		{"trailing slash", []Route{{Prefix: "/v1/x/", Service: "x"}}},
		{"no service", []Route{{Prefix: "/v1/x"}}},
		{"duplicate", []Route{{Prefix: "/v1/x", Service: "x"}, {Prefix: "/v1/x", Service: "y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewTable(tt.routes); err == nil {
				t.Error("NewTable = nil error, want one")
			}
		})
	}
}

func TestRoutePermissionModule(t *testing.T) {
	r := Route{Prefix: "/v1/settings", Service: "contacts", Module: "settings"}
	if got, want := r.Permission(http.MethodPut), "settings:write"; got != want {
		t.Errorf("Permission = %q, want %q", got, want)
	}
}

// TestRoutePermissionOwnWrites: on a route of the caller's own things every
// method needs only the module's read permission; the service checks the
// owner.
func TestRoutePermissionOwnWrites(t *testing.T) {
	own := Route{Prefix: "/v1/bookmarks", Service: "contacts", Module: "bookmarks", OwnWrites: true}
	plain := Route{Prefix: "/v1/bookmarks", Service: "contacts", Module: "bookmarks"}
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if got := own.Permission(method); got != "bookmarks:read" {
			t.Errorf("own %s: Permission = %q, want bookmarks:read", method, got)
		}
		want := "bookmarks:write"
		if IsRead(method) {
			want = "bookmarks:read"
		}
		if got := plain.Permission(method); got != want {
			t.Errorf("plain %s: Permission = %q, want %q", method, got, want)
		}
	}
}

func TestAPIKeyID(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		wantID bool
	}{
		{"bearer api key", map[string]string{"Authorization": "Bearer rpk_abc_secret"}, true},
		{"x-api-key", map[string]string{"X-Api-Key": "rpk_abc_secret"}, true},
		{"user jwt", map[string]string{"Authorization": "Bearer eyJhbGciOi"}, false},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/", nil)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			got := APIKeyID(r)
			if (got != "") != tt.wantID {
				t.Errorf("APIKeyID = %q, want an id: %v", got, tt.wantID)
			}
		})
	}
	a, _ := http.NewRequest(http.MethodGet, "/", nil)
	a.Header.Set("Authorization", "Bearer rpk_abc_secret")
	b, _ := http.NewRequest(http.MethodGet, "/", nil)
	b.Header.Set("X-Api-Key", "rpk_abc_secret")
	if APIKeyID(a) != APIKeyID(b) {
		t.Error("the same key gets two ids")
	}
}

// TestRoutesFollowRegistry adds a service to a copy of the registry: the
// gateway's table routes its prefixes to it, with its permission module,
// query and own-writes marks and audit kinds, and lists it among the services the spec merge takes in.
func TestRoutesFollowRegistry(t *testing.T) {
	reg := append(registry.Default(), registry.Service{Name: "billing", Context: "billing", Routes: []registry.Route{
		{Prefix: "/v1/invoices", Data: registry.PersonalData},
		{Prefix: "/v1/invoices/search", Module: "invoices", Query: true, Data: registry.PersonalData},
		{Prefix: "/v1/invoice-views", OwnWrites: true},
	}})
	table, err := NewTable(Routes(reg))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method, path, perm string
		data               Data
	}{
		{http.MethodGet, "/v1/invoices/7", "billing:read", PersonalData},
		{http.MethodPost, "/v1/invoices", "billing:write", PersonalData},
		{http.MethodPost, "/v1/invoices/search", "invoices:read", PersonalData},
		{http.MethodDelete, "/v1/invoice-views/3", "billing:read", PlainData},
		{http.MethodGet, "/v1/tags", "contacts:read", PlainData},
	} {
		r, ok := table.Match(tt.path)
		if !ok || r.Permission(tt.method) != tt.perm || r.Data != tt.data {
			t.Errorf("%s %s: route %+v (found %v), want permission %s and data %v", tt.method, tt.path, r, ok, tt.perm, tt.data)
		}
	}
	if got, want := table.Services(), []string{"billing", "contacts", "marketing", "reporting", "sales", "support"}; !slices.Equal(got, want) {
		t.Errorf("Services() = %v, want %v", got, want)
	}
}
