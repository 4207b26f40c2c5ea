package support_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// TestKBArticleVersionsAndPublishing follows an article from its draft
// through saved versions, publishing, a newer draft, archiving and
// deletion, with the permission each step needs and the events it
// publishes.
func TestKBArticleVersionsAndPublishing(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	agent := admin.as("support:read", "support:write")

	a := e.newArticle(agent, map[string]any{"locale": "zh-cn", "title": " 如何重置密码 ", "body": "在登录页点击“忘记密码”。",
		"tags": []string{"账户", "密码", "账户"}})
	if a.Locale != "zh-CN" || a.Title != "如何重置密码" || a.State != "draft" || a.DraftVersion != 1 || a.PublishedVersion != 0 ||
		a.Visibility != "internal" || a.BodyFormat != "markdown" || a.TranslationGroupID != a.ID || !slices.Equal(a.Tags, []string{"账户", "密码"}) {
		t.Fatalf("created %+v", a)
	}
	// Publishing is support:admin's.
	e.want(e.do(agent, "POST", "/v1/kb/articles/"+a.ID+"/publish", nil), 403)

	// A save of the text is a new version; of the visibility alone not.
	r := e.want(e.do(agent, "PATCH", "/v1/kb/articles/"+a.ID, map[string]any{"body": "在登录页点击“忘记密码”，然后查收邮件。"},
		"If-Match", etag(a.Version)), 200)
	a = contracttest.Decode[kbArticle](r)
	if a.DraftVersion != 2 || a.Version != 2 {
		t.Fatalf("after a save: %+v", a)
	}
	a = contracttest.Decode[kbArticle](e.want(e.do(agent, "PATCH", "/v1/kb/articles/"+a.ID, map[string]any{"visibility": "public"},
		"If-Match", etag(a.Version)), 200))
	if a.DraftVersion != 2 || a.Visibility != "public" {
		t.Fatalf("after a change of visibility: %+v", a)
	}
	e.want(e.do(agent, "PATCH", "/v1/kb/articles/"+a.ID, map[string]any{"title": "x"}), 428)
	e.want(e.do(agent, "PATCH", "/v1/kb/articles/"+a.ID, map[string]any{"title": "x"}, "If-Match", etag(1)), 412)
	if got := e.do(agent, "PATCH", "/v1/kb/articles/"+a.ID, map[string]any{"locale": "en"}, "If-Match", etag(a.Version)); got.Status != 400 ||
		!slices.Equal(got.fields(), []string{"locale"}) {
		t.Errorf("a patch of the locale: %d %s", got.Status, got.Raw)
	}

	p := contracttest.Decode[kbArticle](e.want(e.do(admin, "POST", "/v1/kb/articles/"+a.ID+"/publish", nil, "If-Match", etag(a.Version)), 200))
	if p.State != "published" || p.PublishedVersion != 2 || p.PublishedAt == nil {
		t.Fatalf("published %+v", p)
	}
	e.want(e.do(admin, "POST", "/v1/kb/articles/"+a.ID+"/publish", nil), 409)

	// A newer draft leaves the published version as it was.
	p = contracttest.Decode[kbArticle](e.want(e.do(agent, "PATCH", "/v1/kb/articles/"+a.ID, map[string]any{"title": "重置密码的步骤"},
		"If-Match", etag(p.Version)), 200))
	if p.State != "published" || p.PublishedVersion != 2 || p.DraftVersion != 3 {
		t.Fatalf("a draft of a published article: %+v", p)
	}
	versions := contracttest.Decode[kbList[kbVersion]](e.want(e.do(agent, "GET", "/v1/kb/articles/"+a.ID+"/versions", nil), 200)).Items
	if len(versions) != 3 || versions[0].Number != 3 || versions[0].Title != "重置密码的步骤" || versions[2].Body != "在登录页点击“忘记密码”。" ||
		versions[0].CreatedBy != agent.id {
		t.Fatalf("versions %+v", versions)
	}
	v2 := contracttest.Decode[kbVersion](e.want(e.do(agent, "GET", "/v1/kb/articles/"+a.ID+"/versions/2", nil), 200))
	if v2.Number != 2 || v2.Title != "如何重置密码" || !strings.Contains(v2.Body, "查收邮件") {
		t.Errorf("version 2 %+v", v2)
	}
	e.want(e.do(agent, "GET", "/v1/kb/articles/"+a.ID+"/versions/4", nil), 404)
	e.want(e.do(agent, "GET", "/v1/kb/articles/"+a.ID+"/versions/x", nil), 404)

	// The published text is what search finds, until the article is archived.
	wantTitles(t, "search of the published text", e.searchTitles(agent, "/v1/kb/search", "q", "重置密码"), "如何重置密码")
	wantTitles(t, "search of drafts", e.searchTitles(agent, "/v1/kb/search", "q", "步骤", "state", "draft"))
	e.want(e.do(agent, "POST", "/v1/kb/articles/"+a.ID+"/archive", nil), 403)
	ar := contracttest.Decode[kbArticle](e.want(e.do(admin, "POST", "/v1/kb/articles/"+a.ID+"/archive", nil), 200))
	if ar.State != "archived" {
		t.Fatalf("archived %+v", ar)
	}
	wantTitles(t, "search after archiving", e.searchTitles(agent, "/v1/kb/search", "q", "重置密码"))
	wantTitles(t, "search of the archived", e.searchTitles(agent, "/v1/kb/search", "q", "步骤", "state", "archived"), "重置密码的步骤")
	// Published again, its latest version is found.
	e.want(e.do(admin, "POST", "/v1/kb/articles/"+a.ID+"/publish", nil), 200)
	wantTitles(t, "search after publishing again", e.searchTitles(agent, "/v1/kb/search", "q", "步骤"), "重置密码的步骤")

	e.want(e.do(agent, "DELETE", "/v1/kb/articles/"+a.ID, nil), 403)
	e.want(e.do(admin, "DELETE", "/v1/kb/articles/"+a.ID, nil), 204)
	e.want(e.do(admin, "GET", "/v1/kb/articles/"+a.ID, nil), 404)
	e.want(e.do(admin, "GET", "/v1/kb/articles/"+a.ID+"/versions", nil), 404)

	want := []string{"article.created", "article.updated", "article.updated", "article.published", "article.updated",
		"article.archived", "article.published", "article.deleted"}
	var got []string
	for _, ev := range e.published() {
		got = append(got, strings.TrimSuffix(strings.TrimPrefix(ev.Type, "dev.rapport.support."), ".v1"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

// TestKBArticleTranslations links articles of several locales, one each.
func TestKBArticleTranslations(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	zh := e.newArticle(u, map[string]any{"locale": "zh-CN", "visibility": "public", "title": "退款政策", "body": "七天内可退款。"})
	en := contracttest.Decode[kbArticle](e.want(e.do(u, "POST", "/v1/kb/articles/"+zh.ID+"/translations",
		map[string]any{"locale": "en", "title": "Refund policy", "body": "Refunds within seven days."}), 201))
	if en.TranslationGroupID != zh.ID || en.Locale != "en" || en.Visibility != "public" || en.State != "draft" || en.ID == zh.ID {
		t.Fatalf("translation %+v of %+v", en, zh)
	}
	e.want(e.do(u, "POST", "/v1/kb/articles/"+en.ID+"/translations", map[string]any{"locale": "zh-CN", "title": "重复"}), 409)
	group := contracttest.Decode[kbList[kbArticle]](e.want(e.do(u, "GET", "/v1/kb/articles/"+en.ID+"/translations", nil), 200)).Items
	if len(group) != 2 || group[0].Locale != "en" || group[1].Locale != "zh-CN" {
		t.Fatalf("translations %+v", group)
	}
	e.want(e.do(u, "GET", "/v1/kb/articles/"+uuid.NewString()+"/translations", nil), 404)
	list := contracttest.Decode[kbList[kbArticle]](e.want(e.do(u, "GET", "/v1/kb/articles?locale=en", nil), 200)).Items
	if len(list) != 1 || list[0].ID != en.ID {
		t.Errorf("list of en %+v", list)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

// TestKBArticleFeedback counts agents' feedback (support:write, which the
// gateway asks of every POST; the public portal's readers give theirs
// there) without changing the article's version.
func TestKBArticleFeedback(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	reader := u.as("support:read", "support:write")
	a := e.publishedArticle(u, "en", "public", "Reset your password", "Click forgot password.")
	type counts struct {
		HelpfulCount    int64 `json:"helpfulCount"`
		NotHelpfulCount int64 `json:"notHelpfulCount"`
	}
	e.want(e.do(reader, "POST", "/v1/kb/articles/"+a.ID+"/feedback", map[string]any{"helpful": true}), 201)
	e.want(e.do(reader, "POST", "/v1/kb/articles/"+a.ID+"/feedback", map[string]any{"helpful": true, "comment": "clear"}), 201)
	c := contracttest.Decode[counts](e.want(e.do(reader, "POST", "/v1/kb/articles/"+a.ID+"/feedback",
		map[string]any{"helpful": false, "comment": "the link is broken"}), 201))
	if c.HelpfulCount != 2 || c.NotHelpfulCount != 1 {
		t.Fatalf("counts %+v", c)
	}
	got := contracttest.Decode[kbArticle](e.want(e.do(reader, "GET", "/v1/kb/articles/"+a.ID, nil), 200))
	if got.HelpfulCount != 2 || got.NotHelpfulCount != 1 || got.Version != a.Version {
		t.Errorf("article after feedback %+v (version was %d)", got, a.Version)
	}
	if r := e.do(reader, "POST", "/v1/kb/articles/"+a.ID+"/feedback", map[string]any{"comment": strings.Repeat("x", 2001)}); r.Status != 400 ||
		!slices.Equal(r.fields(), []string{"helpful", "comment"}) {
		t.Errorf("bad feedback: %d %s", r.Status, r.Raw)
	}
	e.want(e.do(reader, "POST", "/v1/kb/articles/"+uuid.NewString()+"/feedback", map[string]any{"helpful": true}), 404)
	e.want(e.do(u.as("support:read"), "POST", "/v1/kb/articles/"+a.ID+"/feedback", map[string]any{"helpful": true}), 403)
}
