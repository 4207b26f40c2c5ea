package sales_test

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/google/uuid"
)

// The contract validator reads a quote's HTML and PDF as the strings the
// contract declares them to be.
func init() {
	for _, media := range []string{"text/html", "application/pdf"} {
		openapi3filter.RegisterBodyDecoder(media, func(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(body)
			return string(b), err
		})
	}
}

// pdfText is the text of a PDF as pdftotext (poppler-utils, which make
// test installs) extracts it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "quote.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian package poppler-utils; make test installs it): %v", err)
	}
	return string(out)
}

// TestQuoteRendering: the HTML escapes what it shows; the PDF shows the
// Chinese product name in its embedded font, as text a reader extracts.
// The harness has no contacts service: the quote keeps its account and
// contact ids but no names, and prints neither (e2e's TestQuoteApprovals
// prints the names contacts gives).
func TestQuoteRendering(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	_, opp := quotable(e, u)
	q := createQuote(e, u, opp)
	if q.AccountID == "" || q.ContactID == "" || q.AccountName != "" || q.ContactName != "" {
		t.Errorf("without contacts the quote has account %q (%q), contact %q (%q); want ids, no names", q.AccountID, q.AccountName, q.ContactID, q.ContactName)
	}

	r := e.want(e.do(u, "GET", "/v1/quotes/"+q.ID+"/html", nil), http.StatusOK)
	html := string(r.Raw)
	for _, unwanted := range []string{q.AccountID, q.ContactID, "Account", "Contact"} {
		if strings.Contains(html, unwanted) {
			t.Errorf("the HTML shows %q without a name to show", unwanted)
		}
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{q.Number, "企业版许可证", "Acme &lt;renewal&gt;", "8.74", "0.62", "9.36", "12.5 %"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<renewal>") {
		t.Errorf("the HTML shows the opportunity's name unescaped")
	}

	r = e.want(e.do(u, "GET", "/v1/quotes/"+q.ID+"/pdf", nil), http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(string(r.Raw), "%PDF-") {
		t.Fatalf("Content-Type %q, body %.20q", ct, r.Raw)
	}
	text := pdfText(t, r.Raw)
	if strings.Contains(text, q.AccountID) || strings.Contains(text, "Account") {
		t.Errorf("the PDF shows the account without a name:\n%s", text)
	}
	for _, want := range []string{"报价单", q.Number, "企业版许可证", "Acme <renewal>", "9.36"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}

	e.want(e.do(u, "GET", "/v1/quotes/"+q.ID+"/pdf?revision=2", nil), http.StatusNotFound)
	e.want(e.do(u, "GET", "/v1/quotes/"+q.ID+"/html?revision=0", nil), http.StatusBadRequest)
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/quotes/"+q.ID+"/pdf", nil), http.StatusNotFound)
}
