package catalogue

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// get calls h with a GET of target and the given If-None-Match.
func get(t *testing.T, h http.Handler, target, ifNoneMatch string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if ifNoneMatch != "" {
		r.Header.Set("If-None-Match", ifNoneMatch)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

// TestCatalogueHandler checks GET /asyncapi.json: the embedded document,
// its ETag, revalidation and 304.
func TestCatalogueHandler(t *testing.T) {
	c := Default()
	resp := get(t, c.Handler(), DocumentPath, "")
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" || !bytes.Equal(body, c.Document()) {
		t.Fatalf("GET %s: %d %s, %d bytes", DocumentPath, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, resp.Header.Get("Cache-Control"))
	}
	if resp := get(t, c.Handler(), DocumentPath, etag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match the ETag: %d, want 304", resp.StatusCode)
	}
	if resp := get(t, c.Handler(), DocumentPath, `"other"`); resp.StatusCode != http.StatusOK {
		t.Fatalf("If-None-Match another tag: %d, want 200", resp.StatusCode)
	}
}

// TestCataloguePage checks GET /events: every type listed with its
// description and schema, the search, escaping, and a CSP that allows the
// page's own style and nothing else.
func TestCataloguePage(t *testing.T) {
	c := Default()
	resp := get(t, c.Page(), PagePath, "")
	raw, _ := io.ReadAll(resp.Body)
	page := string(raw)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s: %d %s", PagePath, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, typ := range c.Types() {
		if !strings.Contains(page, `<article id="`+typ+`"`) {
			t.Errorf("the page does not list %s", typ)
		}
	}
	won := c.Message("dev.rapport.sales.opportunity.won.v1")
	if !strings.Contains(page, "<summary>Payload schema</summary>") || !strings.Contains(page, "&#34;closeDate&#34;") {
		t.Error("the page has no folded payload schema of opportunity.won")
	}
	if strings.Contains(page, "<script") || strings.Contains(page, " src=") || strings.Contains(page, "<link") {
		t.Error("the page loads a script or an external resource")
	}

	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(page)
	sum := sha256.Sum256([]byte(style[1]))
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q does not allow exactly the page's style", csp)
	}

	resp = get(t, c.Page(), PagePath+"?q=OPPORTUNITY.WON", "")
	raw, _ = io.ReadAll(resp.Body)
	found := string(raw)
	if !strings.Contains(found, `<article id="`+won.Type+`"`) || strings.Contains(found, `<article id="dev.rapport.contacts.contact.created.v1"`) {
		t.Error("?q=OPPORTUNITY.WON does not keep only the matching types")
	}
	if !strings.Contains(found, ` of `) || !strings.Contains(found, `value="OPPORTUNITY.WON"`) {
		t.Error("the search does not show its query and count")
	}
	resp = get(t, c.Page(), PagePath+"?q=%3Cscript%3Ealert(1)%3C/script%3E", "")
	raw, _ = io.ReadAll(resp.Body)
	if strings.Contains(string(raw), "<script>alert") || !strings.Contains(string(raw), "No event type matches.") {
		t.Error("the query is not escaped, or matches something")
	}
}
