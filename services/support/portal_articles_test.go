package support_test

import (
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// portalSummary is an article of the portal's list.
type portalSummary struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// portalTitles lists or searches the portal's articles as u.
func (e *env) portalTitles(u user, query string) []string {
	e.t.Helper()
	var titles []string
	for _, a := range contracttest.Decode[kbList[portalSummary]](e.want(e.do(u, "GET", "/portal/v1/articles"+query, nil), 200)).Items {
		titles = append(titles, a.Title)
	}
	return titles
}

// TestPortalArticlesArePublishedPublicAndTheTenants: the portal lists,
// finds and reads its own tenant's published public articles only, with
// their published text, and takes feedback on them; internal articles,
// drafts and another tenant's are 404 or absent.
func TestPortalArticlesArePublishedPublicAndTheTenants(t *testing.T) {
	e := newPortalEnv(t, "5")
	a, b := newTenant(), newTenant()
	agentA, agentB := newUser(a), newUser(b)
	public := e.publishedArticle(agentA, "en", "public", "Reset your password", "Open settings and choose reset password.")
	zh := e.publishedArticle(agentA, "zh-CN", "public", "重置密码", "打开设置，选择重置密码。")
	internal := e.publishedArticle(agentA, "en", "internal", "Password runbook", "Internal steps to reset a password.")
	draft := e.newArticle(agentA, map[string]any{"locale": "en", "visibility": "public", "title": "Password draft", "body": "Not yet."})
	other := e.publishedArticle(agentB, "en", "public", "Reset your password at B", "B's password help.")
	// A draft edit after publishing: readers still see the published text.
	e.want(e.do(agentA, "PATCH", "/v1/kb/articles/"+public.ID, map[string]any{"title": "Reset your password (draft)"},
		"If-Match", etag(public.Version)), 200)

	pa, pb := portalUser(a), portalUser(b)
	wantTitles(t, "A's list", e.portalTitles(pa, ""), "Reset your password", "重置密码")
	wantTitles(t, "A's English list", e.portalTitles(pa, "?locale=en"), "Reset your password")
	wantTitles(t, "A's search", e.portalTitles(pa, "?q=password"), "Reset your password")
	wantTitles(t, "A's Chinese search", e.portalTitles(pa, "?q=%E5%AF%86%E7%A0%81"), "重置密码")
	wantTitles(t, "B's search", e.portalTitles(pb, "?q=password"), "Reset your password at B")

	got := contracttest.Decode[kbArticle](e.want(e.do(pa, "GET", "/portal/v1/articles/"+public.ID, nil), 200))
	if got.Title != "Reset your password" || got.Body != "Open settings and choose reset password." {
		t.Errorf("the portal shows %q / %q, want the published text", got.Title, got.Body)
	}
	for what, id := range map[string]string{"internal": internal.ID, "draft": draft.ID, "another tenant's": other.ID, "unknown": newTenant()} {
		if r := e.do(pa, "GET", "/portal/v1/articles/"+id, nil); r.Status != 404 {
			t.Errorf("%s article: status %d, want 404", what, r.Status)
		}
		if r := e.do(pa, "POST", "/portal/v1/articles/"+id+"/feedback", map[string]any{"helpful": true}); r.Status != 404 {
			t.Errorf("feedback on the %s article: status %d, want 404", what, r.Status)
		}
	}
	counts := contracttest.Decode[map[string]int](e.want(e.do(pa, "POST", "/portal/v1/articles/"+zh.ID+"/feedback",
		map[string]any{"helpful": false, "comment": "没用"}), 201))
	if counts["notHelpfulCount"] != 1 {
		t.Errorf("counts %v after one not helpful", counts)
	}
	if r := e.do(pa, "POST", "/portal/v1/articles/"+zh.ID+"/feedback", map[string]any{}); r.Status != 400 || r.fields()[0] != "helpful" {
		t.Errorf("feedback without a verdict: %d %v, want 400 naming helpful", r.Status, r.fields())
	}
	if r := e.do(pa, "GET", "/portal/v1/articles?limit=0&locale=xx-!!", nil); r.Status != 400 {
		t.Errorf("bad list query: %d, want 400", r.Status)
	}

	// The portal's principal reaches nothing else; an agent without
	// support:portal does not reach the portal's routes.
	e.want(e.do(pa, "GET", "/v1/kb/articles", nil), 403)
	e.want(e.do(pa, "GET", "/v1/cases", nil), 403)
	e.want(e.do(agentA.as("support:read"), "GET", "/portal/v1/articles", nil), 403)
}
