package console

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var built = fstest.MapFS{
	"index.html":          {Data: []byte(`<!doctype html><script type="module" src="/assets/index-abc.js"></script>`)},
	"assets/index-abc.js": {Data: []byte(strings.Repeat("console.log('rapport');\n", 100))},
	".gitkeep":            {Data: nil},
}

// api is what the console hands on: it answers 299 so the tests see it.
var api = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) })

func serve(t *testing.T, fsys fstest.MapFS, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	h, err := New(fsys, IsAPIPath, api)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestConsoleRoutesGetIndex(t *testing.T) {
	for _, p := range []string{"/", "/contacts", "/contacts/0190/edit", "/signin?return=/x", "/admin/users"} {
		w := serve(t, built, http.MethodGet, p, nil)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "index-abc.js") {
			t.Errorf("GET %s: %d %q, want index.html", p, w.Code, w.Body.String())
		}
		if got := w.Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", p, got)
		}
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("GET %s: CSP %q", p, csp)
		}
	}
}

func TestConsoleAssetsCachedAndGzipped(t *testing.T) {
	w := serve(t, built, http.MethodGet, "/assets/index-abc.js", map[string]string{"Accept-Encoding": "br, gzip"})
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("asset: %d, encoding %q", w.Code, w.Header().Get("Content-Encoding"))
	}
	if !strings.Contains(w.Header().Get("Cache-Control"), "immutable") || !strings.Contains(w.Header().Get("Content-Type"), "javascript") {
		t.Errorf("asset headers: %v", w.Header())
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if !bytes.Equal(body, built["assets/index-abc.js"].Data) {
		t.Error("gzipped asset differs from the file")
	}
	plain := serve(t, built, http.MethodGet, "/assets/index-abc.js", nil)
	if plain.Header().Get("Content-Encoding") != "" || !bytes.Equal(plain.Body.Bytes(), built["assets/index-abc.js"].Data) {
		t.Error("a client without gzip got it compressed")
	}
	if w := serve(t, built, http.MethodGet, "/assets/index-old.js", nil); w.Code != http.StatusNotFound {
		t.Errorf("a missing asset: %d, want 404 (not index.html)", w.Code)
	}
	if w := serve(t, built, http.MethodGet, "/.gitkeep", nil); strings.Contains(w.Body.String(), "gitkeep") || w.Code != http.StatusOK {
		t.Errorf("a dot file is not served: %d", w.Code)
	}
}

func TestConsoleHandsOnTheAPI(t *testing.T) {
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/v1/contacts"}, {http.MethodGet, "/admin/v1/tenants"}, {http.MethodGet, "/admin/v1"}, {http.MethodGet, "/.well-known/jwks.json"}, {http.MethodGet, "/metrics"},
		{http.MethodPost, "/contacts"}, {http.MethodDelete, "/"},
	} {
		if w := serve(t, built, c.method, c.path, nil); w.Code != 299 {
			t.Errorf("%s %s: %d, want it handed on", c.method, c.path, w.Code)
		}
	}
}

func TestConsoleNotBuilt(t *testing.T) {
	w := serve(t, fstest.MapFS{".gitkeep": {}}, http.MethodGet, "/", nil)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "make build") {
		t.Errorf("not built: %d %q", w.Code, w.Body.String())
	}
}
