package support_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/contracttest"
)

// kbCategory is a category as the API answers it.
type kbCategory struct {
	ID       string            `json:"id"`
	ParentID string            `json:"parentId"`
	Names    map[string]string `json:"names"`
	Position int               `json:"position"`
	Version  int64             `json:"version"`
}

// TestKBCategories builds a tree of categories (support:admin), files an
// article in one and refuses what would break the tree.
func TestKBCategories(t *testing.T) {
	e := newEnv(t)
	admin := newUser(uuid.NewString())
	agent := admin.as("support:read", "support:write")
	e.want(e.do(agent, "POST", "/v1/kb/categories", map[string]any{"names": map[string]string{"en": "Account"}}), 403)
	root := contracttest.Decode[kbCategory](e.want(e.do(admin, "POST", "/v1/kb/categories",
		map[string]any{"names": map[string]string{"zh-cn": " 账户 ", "en": "Account"}}), 201))
	if root.Names["zh-CN"] != "账户" || root.Names["en"] != "Account" || root.ParentID != "" {
		t.Fatalf("root %+v", root)
	}
	child := contracttest.Decode[kbCategory](e.want(e.do(admin, "POST", "/v1/kb/categories",
		map[string]any{"parentId": root.ID, "names": map[string]string{"zh-CN": "密码"}, "position": 1}), 201))
	list := contracttest.Decode[kbList[kbCategory]](e.want(e.do(agent, "GET", "/v1/kb/categories", nil), 200)).Items
	if len(list) != 2 || list[0].ID != root.ID || list[1].ParentID != root.ID {
		t.Fatalf("categories %+v", list)
	}
	// A parent under the category itself, or unknown, is refused naming parentId.
	for _, parent := range []string{child.ID, root.ID, uuid.NewString(), "x"} {
		if r := e.do(admin, "PATCH", "/v1/kb/categories/"+root.ID, map[string]any{"parentId": parent}, "If-Match", etag(root.Version)); r.Status != 400 ||
			!slices.Equal(r.fields(), []string{"parentId"}) {
			t.Errorf("parent %s: %d %s", parent, r.Status, r.Raw)
		}
	}
	renamed := contracttest.Decode[kbCategory](e.want(e.do(admin, "PATCH", "/v1/kb/categories/"+child.ID,
		map[string]any{"names": map[string]string{"en": "Passwords"}}, "If-Match", etag(child.Version)), 200))
	if renamed.Names["en"] != "Passwords" || renamed.Names["zh-CN"] != "密码" || renamed.Version != 2 {
		t.Errorf("renamed %+v", renamed)
	}

	a := e.newArticle(agent, map[string]any{"locale": "en", "title": "Reset", "categoryId": child.ID})
	if a.CategoryID != child.ID {
		t.Fatalf("article %+v", a)
	}
	if list := contracttest.Decode[kbList[kbArticle]](e.want(e.do(agent, "GET", "/v1/kb/articles?categoryId="+child.ID, nil), 200)).Items; len(list) != 1 {
		t.Errorf("articles of the category %+v", list)
	}
	for _, cat := range []string{uuid.NewString(), "x"} {
		if r := e.do(agent, "POST", "/v1/kb/articles", map[string]any{"locale": "en", "title": "Reset", "categoryId": cat}); r.Status != 400 ||
			!slices.Equal(r.fields(), []string{"categoryId"}) {
			t.Errorf("category %s: %d %s", cat, r.Status, r.Raw)
		}
	}
	// A category with subcategories or articles stays.
	e.want(e.do(admin, "DELETE", "/v1/kb/categories/"+root.ID, nil), 409)
	e.want(e.do(admin, "DELETE", "/v1/kb/categories/"+child.ID, nil), 409)
	e.want(e.do(agent, "PATCH", "/v1/kb/articles/"+a.ID, map[string]any{"categoryId": nil}, "If-Match", etag(a.Version)), 200)
	e.want(e.do(agent, "DELETE", "/v1/kb/categories/"+child.ID, nil), 403)
	e.want(e.do(admin, "DELETE", "/v1/kb/categories/"+child.ID, nil), 204)
	e.want(e.do(admin, "GET", "/v1/kb/categories/"+child.ID, nil), 404)
	e.want(e.do(newUser(uuid.NewString()), "GET", "/v1/kb/categories/"+root.ID, nil), 404)

	var types []string
	for _, ev := range e.published() {
		if strings.Contains(ev.Type, "kb_category") {
			types = append(types, strings.TrimSuffix(strings.TrimPrefix(ev.Type, "dev.rapport.support.kb_category."), ".v1"))
		}
	}
	if want := []string{"created", "created", "updated", "deleted"}; !slices.Equal(types, want) {
		t.Errorf("category events %q, want %q", types, want)
	}
	contracttest.ValidateEvents(t, "api/events", e.published())
}

// TestKBBadInput refuses bad articles, categories and queries naming each
// field, and stores nothing of them.
func TestKBBadInput(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	for name, c := range map[string]struct {
		body   map[string]any
		fields []string
	}{
		"locale":       {map[string]any{"locale": "chinese!", "title": "x"}, []string{"locale"}},
		"no locale":    {map[string]any{"title": "x"}, []string{"locale"}},
		"visibility":   {map[string]any{"locale": "en", "title": "x", "visibility": "secret"}, []string{"visibility"}},
		"format":       {map[string]any{"locale": "en", "title": "x", "bodyFormat": "pdf"}, []string{"bodyFormat"}},
		"no title":     {map[string]any{"locale": "en", "title": "  "}, []string{"title"}},
		"long body":    {map[string]any{"locale": "zh-CN", "title": "x", "body": strings.Repeat("长", 100_001)}, []string{"body"}},
		"tags":         {map[string]any{"locale": "en", "title": "x", "tags": []string{""}}, []string{"tags/0"}},
		"read-only":    {map[string]any{"locale": "en", "title": "x", "state": "published"}, []string{"state"}},
		"several bads": {map[string]any{"locale": "xx-!!", "title": "", "visibility": "all"}, []string{"locale", "visibility", "title"}},
	} {
		if r := e.do(u, "POST", "/v1/kb/articles", c.body); r.Status != 400 || !slices.Equal(r.fields(), c.fields) {
			t.Errorf("%s: %d %v %s", name, r.Status, r.fields(), r.Raw)
		}
	}
	// A body over the request limit (1 MiB) is 413.
	e.want(e.do(u, "POST", "/v1/kb/articles", map[string]any{"locale": "en", "title": "x", "body": strings.Repeat("a", 1<<20)}), 413)
	for _, q := range []string{"q=&state=draft", "q=x&state=deleted", "q=x&locale=!!", "q=x&visibility=all", "q=x&limit=51", "q=x&categoryId=7",
		"q=" + strings.Repeat("a", 501)} {
		r := e.do(u, "GET", "/v1/kb/search?"+q, nil)
		if r.Status != 400 || len(r.fields()) != 1 {
			t.Errorf("search %.40s: %d %s", q, r.Status, r.Raw)
		}
	}
	e.want(e.do(u, "GET", "/v1/kb/suggestions", nil), 400)
	e.want(e.do(u, "GET", "/v1/kb/articles?state=gone", nil), 400)
	if r := e.do(u, "POST", "/v1/kb/categories", map[string]any{"names": map[string]string{"bad tag!": "x", "en": ""}}); r.Status != 400 ||
		!slices.Equal(r.fields(), []string{"names/bad tag!", "names/en"}) {
		t.Errorf("category names: %d %s", r.Status, r.Raw)
	}
	e.want(e.do(u, "POST", "/v1/kb/categories", map[string]any{"names": map[string]string{}}), 400)
	// HTML is sanitised.
	a := e.newArticle(u, map[string]any{"locale": "en", "title": "x", "bodyFormat": "html",
		"body": `<p onclick="steal()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">link</a></p>`})
	if strings.Contains(a.Body, "script") || strings.Contains(a.Body, "onclick") || strings.Contains(a.Body, "javascript") || !strings.Contains(a.Body, "<p>Hi") {
		t.Errorf("sanitised body %q", a.Body)
	}
	if list := contracttest.Decode[kbList[kbArticle]](e.want(e.do(u, "GET", "/v1/kb/articles", nil), 200)).Items; len(list) != 1 {
		t.Errorf("%d articles stored, want the sanitised one only", len(list))
	}
}
