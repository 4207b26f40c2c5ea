package kitx_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/libs/kitx"
)

// TestRoutesAnswersProblems checks that what a ServeMux answers in
// text/plain — an unknown path, a method the path does not take, a bad
// query — is problem+json, and that matched routes are served as before.
func TestRoutesAnswersProblems(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/things", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("list")) })
	mux.HandleFunc("POST /v1/things", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) })
	mux.HandleFunc("GET /v1/things/{id}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.PathValue("id"))) })
	srv := httptest.NewServer(kitx.RequestID(kitx.Routes(mux)))
	t.Cleanup(srv.Close)

	tests := []struct {
		name, method, path  string
		wantStatus          int
		wantType, wantAllow string
		wantFields          []string
	}{
		{"matched", "GET", "/v1/things?q=caf%C3%A9&x=a+b", 200, "", "", nil},
		{"path value", "GET", "/v1/things/42", 200, "", "", nil},
		{"unknown path", "GET", "/v1/things/42/activities", 404, "no-such-path", "", nil},
		{"unknown root", "GET", "/nothing", 404, "no-such-path", "", nil},
		{"method not taken", "PUT", "/v1/things", 405, "method-not-allowed", "GET, HEAD, POST", nil},
		{"method not taken by an item", "DELETE", "/v1/things/42", 405, "method-not-allowed", "GET, HEAD", nil},
		{"NUL in a query value", "GET", "/v1/things?q=%00", 400, "invalid-text", "", []string{"q"}},
		{"escape in a query value", "GET", "/v1/things?a=1&sort=x%1B", 400, "invalid-text", "", []string{"sort"}},
		{"invalid UTF-8 in a query value", "GET", "/v1/things?q=%C3", 400, "invalid-text", "", []string{"q"}},
		{"NUL in a query name", "GET", "/v1/things?a%00=1", 400, "invalid-text", "", []string{"a\x00"}},
		{"NUL in the path", "GET", "/v1/things/%00", 400, "invalid-text", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.method, srv.URL+tt.path, "", nil, nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status got %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if got := resp.Header.Values("X-Content-Type-Options"); !slices.Equal(got, []string{"nosniff"}) {
				t.Errorf("X-Content-Type-Options got %q, want nosniff once", got)
			}
			if got := resp.Header.Values("Cache-Control"); !slices.Equal(got, []string{"no-store"}) {
				t.Errorf("Cache-Control got %q, want no-store once", got)
			}
			if tt.wantType == "" {
				return
			}
			p := problemOf(t, resp, body)
			if got, want := p.Type, kitx.ProblemTypeBase+tt.wantType; got != want {
				t.Errorf("type got %q, want %q", got, want)
			}
			if got := resp.Header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow got %q, want %q", got, tt.wantAllow)
			}
			var fields []string
			for _, f := range p.Errors {
				fields = append(fields, f.Field)
			}
			if !slices.Equal(fields, tt.wantFields) {
				t.Errorf("fields got %q, want %q", fields, tt.wantFields)
			}
		})
	}
}

// TestRoutesLetsAHandlerCache checks that a handler's own Cache-Control
// (a public key set) replaces the no-store default.
func TestRoutesLetsAHandlerCache(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Cache-Control", "public, max-age=300") })
	srv := httptest.NewServer(kitx.Routes(mux))
	t.Cleanup(srv.Close)
	resp, _ := do(t, "GET", srv.URL+"/keys", "", nil, nil)
	if got := resp.Header.Values("Cache-Control"); !slices.Equal(got, []string{"public, max-age=300"}) {
		t.Errorf("Cache-Control got %q, want the handler's", got)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options got %q, want nosniff", got)
	}
}
