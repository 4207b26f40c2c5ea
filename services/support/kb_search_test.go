package support_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestKBSearchChineseAndEnglish searches Chinese by character bigrams (and
// one character as itself), English with stemming, and both mixed, over
// published articles only, ranked with a title's match above a body's,
// with highlights.
func TestKBSearchChineseAndEnglish(t *testing.T) {
	e := newEnv(t)
	u := newUser(uuid.NewString())
	e.publishedArticle(u, "zh-CN", "public", "如何重置密码", "在登录页点击“忘记密码”，系统会发送重置链接。")
	e.publishedArticle(u, "zh-CN", "public", "退款政策", "购买后七天内可申请退款，退款将原路返回。")
	e.publishedArticle(u, "zh-CN", "internal", "账户安全", "定期修改密码可以保护账户。")
	e.publishedArticle(u, "en", "public", "Reset password", "Open the login page and click forgot password.")
	e.publishedArticle(u, "en", "public", "Billing cycles", "Invoices are sent monthly; to reset a billing cycle contact support.")
	e.publishedArticle(u, "zh-CN", "public", "VPN 设置指南", "在 Windows 上配置 VPN 客户端。")
	e.newArticle(u, map[string]any{"locale": "zh-CN", "title": "密码草稿", "body": "尚未发布的密码说明。"})

	wantTitles(t, "重置密码", e.searchTitles(u, "/v1/kb/search", "q", "重置密码"), "如何重置密码")
	wantTitles(t, "退款", e.searchTitles(u, "/v1/kb/search", "q", "退款"), "退款政策")
	// Title matches (weight A) rank above body matches (weight B); the
	// unpublished draft is not found.
	wantTitles(t, "密码", e.searchTitles(u, "/v1/kb/search", "q", "密码"), "如何重置密码", "账户安全")
	wantTitles(t, "密码 in drafts", e.searchTitles(u, "/v1/kb/search", "q", "密码", "state", "draft"), "密码草稿")
	// One character matches as itself; a phrase must be contiguous.
	wantTitles(t, "款", e.searchTitles(u, "/v1/kb/search", "q", "款"), "退款政策")
	wantTitles(t, "密重", e.searchTitles(u, "/v1/kb/search", "q", "密重"))
	// English is stemmed: "resetting passwords" finds "reset password".
	wantTitles(t, "resetting passwords", e.searchTitles(u, "/v1/kb/search", "q", "resetting passwords"), "Reset password")
	wantTitles(t, "reset", e.searchTitles(u, "/v1/kb/search", "q", "Reset"), "Reset password", "Billing cycles")
	// The websearch syntax: or, not, quoted phrases.
	wantTitles(t, "billing or forgot", e.searchTitles(u, "/v1/kb/search", "q", "billing or forgot"), "Billing cycles", "Reset password")
	wantTitles(t, "reset -billing", e.searchTitles(u, "/v1/kb/search", "q", "reset -billing"), "Reset password")
	wantTitles(t, "a phrase", e.searchTitles(u, "/v1/kb/search", "q", `"forgot password"`), "Reset password")
	wantTitles(t, "a phrase reversed", e.searchTitles(u, "/v1/kb/search", "q", `"password forgot"`))
	// Mixed: every term must match.
	wantTitles(t, "VPN 设置", e.searchTitles(u, "/v1/kb/search", "q", "vpn 设置"), "VPN 设置指南")
	wantTitles(t, "VPN 退款", e.searchTitles(u, "/v1/kb/search", "q", "VPN 退款"))
	// Filters.
	wantTitles(t, "密码 public", e.searchTitles(u, "/v1/kb/search", "q", "密码", "visibility", "public"), "如何重置密码")
	wantTitles(t, "密码 internal", e.searchTitles(u, "/v1/kb/search", "q", "密码", "visibility", "internal"), "账户安全")
	wantTitles(t, "password in zh-CN", e.searchTitles(u, "/v1/kb/search", "q", "password", "locale", "zh-cn"))
	wantTitles(t, "only stop words", e.searchTitles(u, "/v1/kb/search", "q", "the"))

	hits := e.search(u, "/v1/kb/search", "q", "重置密码")
	if h := hits[0].Highlights; h.Title != "如何<mark>重置密码</mark>" || !strings.Contains(h.Body, "<mark>重置</mark>") && !strings.Contains(h.Body, "忘记<mark>") {
		t.Errorf("highlights %+v", h)
	}
	hits = e.search(u, "/v1/kb/search", "q", "resetting passwords")
	if h := hits[0].Highlights; h.Title != "<mark>Reset</mark> <mark>password</mark>" || !strings.Contains(h.Body, "forgot <mark>password</mark>") {
		t.Errorf("English highlights %+v", h)
	}
	if hits := e.search(u, "/v1/kb/search", "q", "密码"); len(hits) != 2 || hits[0].Score <= hits[1].Score {
		t.Errorf("scores %+v", hits)
	}

	// Suggestions for a new case: any word may match, published only.
	wantTitles(t, "suggestions", e.searchTitles(u, "/v1/kb/suggestions", "text", "我忘记了密码，无法登录", "visibility", "public"),
		"如何重置密码")
	got := e.searchTitles(u, "/v1/kb/suggestions", "text", "Refund please: I forgot my password and want my money back 退款", "limit", "5")
	if slices.Sort(got); !slices.Equal(got, []string{"Reset password", "退款政策"}) {
		t.Errorf("mixed suggestions %q", got)
	}
}

// TestKBSearchTenantIsolation never answers another tenant's article, by
// search, suggestion, list or id.
func TestKBSearchTenantIsolation(t *testing.T) {
	e := newEnv(t)
	mine, theirs := newUser(uuid.NewString()), newUser(uuid.NewString())
	a := e.publishedArticle(theirs, "zh-CN", "public", "退款政策", "七天内可退款。")
	e.publishedArticle(mine, "en", "public", "Refund policy", "Refunds within seven days.")
	wantTitles(t, "their search", e.searchTitles(theirs, "/v1/kb/search", "q", "退款"), "退款政策")
	wantTitles(t, "my search", e.searchTitles(mine, "/v1/kb/search", "q", "退款"))
	wantTitles(t, "my suggestions", e.searchTitles(mine, "/v1/kb/suggestions", "text", "退款 refund"), "Refund policy")
	e.want(e.do(mine, "GET", "/v1/kb/articles/"+a.ID, nil), 404)
	e.want(e.do(mine, "POST", "/v1/kb/articles/"+a.ID+"/feedback", map[string]any{"helpful": false}), 404)
	e.want(e.do(mine, "POST", "/v1/kb/articles/"+a.ID+"/translations", map[string]any{"locale": "en", "title": "x"}), 404)
	if list := e.do(mine, "GET", "/v1/kb/articles", nil); !strings.Contains(string(list.Raw), "Refund policy") || strings.Contains(string(list.Raw), a.ID) {
		t.Errorf("my list %s", list.Raw)
	}
}
