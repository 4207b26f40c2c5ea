package specmerge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// specServer serves a document at /openapi.json that the test can change;
// an empty document answers 503.
type specServer struct {
	*httptest.Server
	body    atomic.Pointer[string]
	refused atomic.Int32 // requests answered 503
}

func newSpecServer(t *testing.T, body string) *specServer {
	t.Helper()
	s := &specServer{}
	s.set(body)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := *s.body.Load()
		if r.URL.Path != SpecPath || b == "" {
			s.refused.Add(1)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *specServer) set(body string) { s.body.Store(&body) }

func (s *specServer) addr() string { return s.Listener.Addr().String() }

// yamlToJSON converts a test document to the JSON a service serves.
func yamlToJSON(t *testing.T, doc string) string {
	t.Helper()
	b, err := Merge([]byte(doc), nil) // the gateway-only merge is the document itself, as JSON
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pathsOf returns the paths of the served document.
func pathsOf(t *testing.T, h http.Handler) map[string]any {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, SpecPath, nil))
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		t.Fatalf("GET /openapi.json: no paths in %s", w.Body.Bytes())
	}
	return paths
}

// resolverFunc adapts a function to discovery.Resolver.
type resolverFunc func(ctx context.Context, service, tenant string) ([]discovery.Instance, error)

func (f resolverFunc) Resolve(ctx context.Context, service, tenant string) ([]discovery.Instance, error) {
	return f(ctx, service, tenant)
}

func TestHandlerFetchesAndRefreshes(t *testing.T) {
	contacts := newSpecServer(t, yamlToJSON(t, contactsSpec))
	sales := newSpecServer(t, "") // not up yet
	var resolver atomic.Pointer[discovery.Static]
	resolver.Store(discovery.NewStatic(map[string]string{"contacts": contacts.addr(), "sales": sales.addr()}))
	h, err := New(Config{
		Gateway: []byte(gatewaySpec),
		Resolver: resolverFunc(func(ctx context.Context, service, tenant string) ([]discovery.Instance, error) {
			return resolver.Load().Resolve(ctx, service, tenant)
		}),
		Services: []string{"contacts", "sales", "support"}, // support is not deployed
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(pathsOf(t, h)); got != 1 {
		t.Fatalf("before the first refresh: %d paths, want the gateway's 1", got)
	}

	steps := []struct {
		name      string
		change    func()
		wantErrOn []string // services named in Refresh's error
		wantPaths []string
	}{
		{"first refresh: sales down, support not deployed (no failure)", func() {}, []string{"sales"},
			[]string{"/v1/auth/login", "/v1/contacts", "/v1/contacts/{contactId}"}},
		{"sales comes up", func() { sales.set(salesSpec) }, nil,
			[]string{"/v1/auth/login", "/v1/contacts", "/v1/contacts/{contactId}", "/v1/leads"}},
		{"contacts breaks: its last good document stays", func() { contacts.set("") }, []string{"contacts"},
			[]string{"/v1/auth/login", "/v1/contacts", "/v1/contacts/{contactId}", "/v1/leads"}},
		{"sales publishes an invalid document: kept out", func() { sales.set(`{"openapi": "3.0.3"}`) }, []string{"contacts", "sales"},
			[]string{"/v1/auth/login", "/v1/contacts", "/v1/contacts/{contactId}", "/v1/leads"}},
		{"sales changes", func() { sales.set(strings.Replace(salesSpec, "/v1/leads", "/v1/opportunities", 1)) }, []string{"contacts"},
			[]string{"/v1/auth/login", "/v1/contacts", "/v1/contacts/{contactId}", "/v1/opportunities"}},
		{"sales is no longer deployed: its paths leave", func() {
			resolver.Store(discovery.NewStatic(map[string]string{"contacts": contacts.addr()}))
		}, []string{"contacts"},
			[]string{"/v1/auth/login", "/v1/contacts", "/v1/contacts/{contactId}"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change()
			err := h.Refresh(t.Context())
			for _, svc := range []string{"contacts", "sales", "support"} {
				named := err != nil && strings.Contains(err.Error(), svc+":")
				want := false
				for _, w := range s.wantErrOn {
					want = want || w == svc
				}
				if named != want {
					t.Errorf("Refresh error %v names %s: %v, want %v", err, svc, named, want)
				}
			}
			paths := pathsOf(t, h)
			if len(paths) != len(s.wantPaths) {
				t.Errorf("paths %d, want %v", len(paths), s.wantPaths)
			}
			for _, p := range s.wantPaths {
				if _, ok := paths[p]; !ok {
					t.Errorf("path %s missing", p)
				}
			}
		})
	}
}

func TestHandlerConditionalGet(t *testing.T) {
	h, err := New(Config{Gateway: []byte(gatewaySpec), Specs: map[string][]byte{"contacts": []byte(contactsSpec)}})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, SpecPath, nil))
	etag := w.Header().Get("ETag")
	tests := []struct {
		name, method, ifNoneMatch string
		wantStatus                int
	}{
		{"get", http.MethodGet, "", 200},
		{"head", http.MethodHead, "", 200},
		{"not modified", http.MethodGet, etag, 304},
		{"changed", http.MethodGet, `"other"`, 200},
		{"post", http.MethodPost, "", 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, SpecPath, nil)
			if tt.ifNoneMatch != "" {
				r.Header.Set("If-None-Match", tt.ifNoneMatch)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", w.Code, tt.wantStatus)
			}
		})
	}
}

func TestNewRejectsBadDocuments(t *testing.T) {
	if _, err := New(Config{Gateway: []byte("nope")}); err == nil {
		t.Error("New with a bad gateway document: nil error")
	}
}

func TestRunRefreshesPeriodically(t *testing.T) {
	contacts := newSpecServer(t, "")
	h, err := New(Config{
		Gateway:  []byte(gatewaySpec),
		Resolver: discovery.NewStatic(map[string]string{"contacts": contacts.addr()}),
		Services: []string{"contacts"},
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { h.Run(t.Context(), 20*time.Millisecond); close(done) }()
	t.Cleanup(func() { <-done }) // the test's context ends before cleanups run
	contacts.set(contactsSpec)
	waitPaths(t, h, 5*time.Second, "Run picked up the contacts document")
}

// waitPaths waits until h's merged document has the three paths of the
// gateway's and contacts' documents.
func waitPaths(t *testing.T, h *Handler, timeout time.Duration, what string) {
	t.Helper()
	testkit.Eventually(t, timeout, what, func() (bool, string) {
		paths := pathsOf(t, h)
		return len(paths) == 3, fmt.Sprint(paths)
	})
}

// TestRunRetriesSoonForAServiceThatStartsLate serves contacts' document only
// after the first refresh failed, with the periodic refresh an hour away: the
// document must still appear within seconds. sales has no instance at all and
// must not make the handler spin.
func TestRunRetriesSoonForAServiceThatStartsLate(t *testing.T) {
	contacts := newSpecServer(t, "")
	h, err := New(Config{
		Gateway:  []byte(gatewaySpec),
		Resolver: discovery.NewStatic(map[string]string{"contacts": contacts.addr()}),
		Services: []string{"contacts", "sales"},
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { h.Run(t.Context(), time.Hour); close(done) }()
	t.Cleanup(func() { <-done })
	testkit.Eventually(t, 10*time.Second, "the first refresh asked contacts", func() (bool, string) {
		return contacts.refused.Load() > 0, ""
	})
	contacts.set(contactsSpec) // after the first refresh was refused
	waitPaths(t, h, 10*time.Second, "the late service's document appeared")
	if h.missingRunning() {
		t.Error("missingRunning after contacts' document arrived: got true, want false (sales has no instance)")
	}
}
