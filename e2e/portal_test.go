package e2e

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"

	"github.com/rapport-crm/rapport/e2e/stack"
)

// testPortal walks each tenant's public self-service portal through the
// gateway, with no credentials: a tenant's portal shows its own public
// article and none of the other tenant's, found by id or by search; a case
// submitted there is its tenant's and not the other's; a filled honeypot
// opens none.
func testPortal(t *testing.T, w *world) {
	for _, tt := range []struct{ own, other *side }{{w.a, w.b}, {w.b, w.a}} {
		t.Run(tt.own.name, func(t *testing.T) {
			portal := func(s *side) string { return w.st.GatewayURL + "/portal/" + s.tenant.Slug + "/api/v1" }
			article := tt.own.fixture.Support.ArticleID
			marker := tt.own.fixture.Markers[0]
			res := stack.Must(t, stack.Request{Method: http.MethodGet, URL: portal(tt.own) + "/articles/" + article}, http.StatusOK, nil)
			if !bytes.Contains(res.Body, []byte("Art"+marker)) {
				t.Errorf("the tenant's portal shows its article as %s", res.Body)
			}
			stack.Must(t, stack.Request{Method: http.MethodGet, URL: portal(tt.other) + "/articles/" + article}, http.StatusNotFound, nil)
			found := stack.Must(t, stack.Request{Method: http.MethodGet, URL: portal(tt.other) + "/articles?q=" + url.QueryEscape("Art"+marker)}, http.StatusOK, nil)
			for _, m := range tt.own.fixture.Markers {
				if bytes.Contains(found.Body, []byte(m)) {
					t.Errorf("the other tenant's portal search shows %q: %s", m, found.Body)
				}
			}

			subject := "Portal " + letters(10)
			stack.Must(t, stack.Request{Method: http.MethodPost, URL: portal(tt.own) + "/cases", Body: map[string]any{
				"name": "Ann", "email": "ann@customer.example", "subject": subject, "description": "It broke."}}, http.StatusAccepted, nil)
			trap := "Trap " + letters(10)
			stack.Must(t, stack.Request{Method: http.MethodPost, URL: portal(tt.own) + "/cases", Body: map[string]any{
				"name": "Bot", "email": "bot@spam.example", "subject": trap, "description": "Buy now.", "website": "http://spam.example"}}, http.StatusAccepted, nil)
			count := func(s *side, q string) int {
				var page struct {
					Items []struct {
						Subject string `json:"subject"`
					} `json:"items"`
				}
				stack.Must(t, stack.Request{Method: http.MethodGet, URL: w.st.GatewayURL + "/v1/cases?q=" + url.QueryEscape(q), Token: s.tenant.Admin.Token}, http.StatusOK, &page)
				return len(page.Items)
			}
			if n := count(tt.own, subject); n != 1 {
				t.Errorf("the portal's case is %d of the tenant's cases, want 1", n)
			}
			if n := count(tt.other, subject); n != 0 {
				t.Errorf("the portal's case is %d of the other tenant's cases, want 0", n)
			}
			if n := count(tt.own, trap); n != 0 {
				t.Errorf("the honeypot's case is %d of the tenant's cases, want 0", n)
			}
		})
	}
}
