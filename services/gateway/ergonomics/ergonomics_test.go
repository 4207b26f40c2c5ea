package ergonomics_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/services/gateway/ergonomics"
)

// upstream is a service behind a reverse proxy, as the gateway's proxy
// reaches the services.
func upstream(t *testing.T, cfg ergonomics.Config) (*httptest.Server, *string) {
	t.Helper()
	var query string
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		switch r.URL.Path {
		case "/v1/contacts/c1":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("ETag", `"3"`)
			w.Header().Set("Cache-Control", "no-store")
			_, _ = io.WriteString(w, `{"id":"c1","firstName":"Ada","version":3}`)
		case "/v1/contacts":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[{"id":"c1","firstName":"Ada","lastName":"Lovelace","email":"ada@example.com"},`+
				`{"id":"c2","firstName":"Alan","lastName":"Turing"}],"nextCursor":"x<y"}`)
		case "/v1/contacts/export":
			w.Header().Set("Content-Type", "text/csv")
			_, _ = io.WriteString(w, "id,firstName\nc1,Ada\n")
		case "/v1/stream":
			w.Header().Set("Content-Type", "text/event-stream")
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("flush: %v", err)
			}
			_, _ = io.WriteString(w, "data: 1\n\n")
			w.(http.Flusher).Flush()
		case "/v1/big":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[],"pad":"`+strings.Repeat("x", 2000)+`"}`)
		default:
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"status":404}`)
		}
	}))
	t.Cleanup(svc.Close)
	u, err := url.Parse(svc.URL)
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(ergonomics.Middleware(cfg)(httputil.NewSingleHostReverseProxy(u)))
	t.Cleanup(gw.Close)
	return gw, &query
}

func get(t *testing.T, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rsp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer rsp.Body.Close()
	b, err := io.ReadAll(rsp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rsp, string(b)
}

// TestErgonomicsConditionalGet: a record keeps its service's ETag, a list gets
// one from its body, and If-None-Match naming either is a 304 without body.
func TestErgonomicsConditionalGet(t *testing.T) {
	gw, _ := upstream(t, ergonomics.Config{})
	rsp, body := get(t, gw.URL+"/v1/contacts/c1")
	if rsp.StatusCode != 200 || rsp.Header.Get("ETag") != `"3"` || body != `{"id":"c1","firstName":"Ada","version":3}` ||
		rsp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("record: %d %v %s", rsp.StatusCode, rsp.Header, body)
	}
	for _, inm := range []string{`"3"`, `W/"3"`, `"9", "3"`, `*`} {
		rsp, body = get(t, gw.URL+"/v1/contacts/c1", "If-None-Match", inm)
		if rsp.StatusCode != http.StatusNotModified || body != "" || rsp.Header.Get("ETag") != `"3"` ||
			rsp.Header.Get("Cache-Control") != "no-store" || rsp.Header.Get("Content-Type") != "" {
			t.Fatalf("If-None-Match %s: %d %v %q", inm, rsp.StatusCode, rsp.Header, body)
		}
	}
	if rsp, _ = get(t, gw.URL+"/v1/contacts/c1", "If-None-Match", `"2"`); rsp.StatusCode != 200 {
		t.Fatalf("a stale tag: %d", rsp.StatusCode)
	}

	rsp, body = get(t, gw.URL+"/v1/contacts")
	etag := rsp.Header.Get("ETag")
	if rsp.StatusCode != 200 || !strings.HasPrefix(etag, `"`) || len(etag) != 34 || !strings.Contains(body, "Lovelace") {
		t.Fatalf("list: %d %q %s", rsp.StatusCode, etag, body)
	}
	if rsp, body = get(t, gw.URL+"/v1/contacts", "If-None-Match", etag); rsp.StatusCode != 304 || body != "" || rsp.Header.Get("ETag") != etag {
		t.Fatalf("list revalidated: %d %q", rsp.StatusCode, body)
	}
}

// TestErgonomicsPassThrough: event streams, downloads, errors and bodies over
// the bound are neither buffered nor tagged.
func TestErgonomicsPassThrough(t *testing.T) {
	gw, _ := upstream(t, ergonomics.Config{MaxBody: 1000})
	for path, want := range map[string]int{"/v1/contacts/export": 200, "/v1/stream": 200, "/v1/big": 200, "/v1/none": 404} {
		rsp, body := get(t, gw.URL+path, "If-None-Match", "*")
		if rsp.StatusCode != want || rsp.Header.Get("ETag") != "" || body == "" {
			t.Fatalf("%s: %d ETag %q body %q", path, rsp.StatusCode, rsp.Header.Get("ETag"), body)
		}
	}
}

// TestErgonomicsFields: fields= keeps the named members and id, the services
// never see the parameter, and an unknown name is a 400 naming it.
func TestErgonomicsFields(t *testing.T) {
	gw, query := upstream(t, ergonomics.Config{})
	rsp, body := get(t, gw.URL+"/v1/contacts?limit=2&fields=firstName,email")
	var page struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"nextCursor"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil || rsp.StatusCode != 200 {
		t.Fatalf("%d %s %v", rsp.StatusCode, body, err)
	}
	if len(page.Items) != 2 || len(page.Items[0]) != 3 || page.Items[0]["email"] != "ada@example.com" ||
		len(page.Items[1]) != 2 || page.Items[1]["firstName"] != "Alan" || page.NextCursor != "x<y" || *query != "limit=2" {
		t.Fatalf("page %+v, upstream query %q", page, *query)
	}
	if !strings.Contains(body, `"x<y"`) {
		t.Fatalf("HTML escaped: %s", body)
	}
	etag := rsp.Header.Get("ETag")
	if rsp, _ = get(t, gw.URL+"/v1/contacts?limit=2&fields=firstName,email", "If-None-Match", etag); rsp.StatusCode != 304 {
		t.Fatalf("sparse page revalidated: %d", rsp.StatusCode)
	}

	for path, name := range map[string]string{"/v1/contacts?fields=firstName,shoeSize": "shoeSize", "/v1/contacts/c1?fields=firstName": ""} {
		rsp, body = get(t, gw.URL+path)
		if rsp.StatusCode != 400 || rsp.Header.Get("Content-Type") != "application/problem+json" ||
			!strings.Contains(body, `"field":"fields"`) || !strings.Contains(body, name) || rsp.Header.Get("ETag") != "" {
			t.Fatalf("%s: %d %v %s", path, rsp.StatusCode, rsp.Header, body)
		}
	}
}

// TestErgonomicsFieldsFromDocument: with the OpenAPI document's names, a
// known member no item of the page has is accepted, and an unknown one is
// refused before the service is asked.
func TestErgonomicsFieldsFromDocument(t *testing.T) {
	lookup := func(path string) ([]string, bool) {
		return []string{"id", "firstName", "lastName", "email", "phone"}, path == "/v1/contacts"
	}
	gw, query := upstream(t, ergonomics.Config{Fields: lookup})
	if rsp, body := get(t, gw.URL+"/v1/contacts?fields=phone"); rsp.StatusCode != 200 || body != `{"items":[{"id":"c1"},{"id":"c2"}],"nextCursor":"x<y"}` {
		t.Fatalf("%d %s", rsp.StatusCode, body)
	}
	*query = "untouched"
	if rsp, body := get(t, gw.URL+"/v1/contacts?fields=email,shoeSize"); rsp.StatusCode != 400 || !strings.Contains(body, "shoeSize") || *query != "untouched" {
		t.Fatalf("%d %s, upstream asked: %q", rsp.StatusCode, body, *query)
	}
}

// TestErgonomicsStreamFlushes: an event stream's first Flush, before any
// event, sends its headers through the middleware at once.
func TestErgonomicsStreamFlushes(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(ergonomics.Middleware(ergonomics.Config{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		<-release // the client has the headers before any event
		_, _ = io.WriteString(w, "data: 1\n\n")
	})))
	defer srv.Close()
	defer close(release)
	client := &http.Client{Timeout: 10 * time.Second}
	rsp, err := client.Get(srv.URL + "/v1/notifications/stream")
	if err != nil {
		t.Fatalf("the headers did not come before the first event: %v", err)
	}
	defer rsp.Body.Close()
	if rsp.StatusCode != 200 || rsp.Header.Get("Content-Type") != "text/event-stream" || rsp.Header.Get("ETag") != "" {
		t.Fatalf("%d %v", rsp.StatusCode, rsp.Header)
	}
}
