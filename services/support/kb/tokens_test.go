package kb

import (
	"slices"
	"strings"
	"testing"
)

// TestSplitScripts separates CJK runs from the other text.
func TestSplitScripts(t *testing.T) {
	other, runs := splitScripts("VPN 设置指南: 在Windows上配置")
	if other != "VPN  :  Windows " {
		t.Errorf("other %q", other)
	}
	var got []string
	for _, r := range runs {
		got = append(got, string(r))
	}
	if !slices.Equal(got, []string{"设置指南", "在", "上配置"}) {
		t.Errorf("runs %q", got)
	}
}

// TestCJKVector gives each bigram and unigram its positions, runs apart.
func TestCJKVector(t *testing.T) {
	_, runs := splitScripts("重置密码 密码")
	want := "'重置':1A '置密':2A '密码':3A,6A '码':4A,7A"
	if got := cjkVector(runs, 'A'); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := cjkVector(nil, 'B'); got != "" {
		t.Errorf("no runs: %q", got)
	}
	if got := quoteLexeme(`it's\`); got != `'it''s\\'` {
		t.Errorf("quoted %s", got)
	}
}

// TestCJKQuery makes phrases of bigrams, a lone character itself.
func TestCJKQuery(t *testing.T) {
	_, runs := splitScripts("重置密码 款")
	if got, want := cjkQuery(runs, true), "('重置' <-> '置密' <-> '密码') & ('款':*)"; got != want {
		t.Errorf("all: %s, want %s", got, want)
	}
	if got, want := cjkQuery(runs, false), "('重置' <-> '置密' <-> '密码') | ('款':*)"; got != want {
		t.Errorf("any: %s, want %s", got, want)
	}
	cjk, words := suggestionQuery("Forgot my password 密码 密码忘了 forgot")
	if cjk != "'密码' | '码忘' | '忘了'" || words != "forgot | my | password" {
		t.Errorf("suggestion %q %q", cjk, words)
	}
}

// TestHighlights marks CJK terms and English words by their lexemes,
// escaping the rest, in a window around the first match.
func TestHighlights(t *testing.T) {
	_, runs := splitScripts("重置密码")
	h := newHighlighter(termRunes(runs), []string{"reset", "polici"})
	got := h.highlights("<b>如何重置密码</b>", "Resetting our policy & 忘记密码")
	if got.Title != "&lt;b&gt;如何<mark>重置密码</mark>&lt;/b&gt;" {
		t.Errorf("title %s", got.Title)
	}
	if got.Body != "<mark>Resetting</mark> our <mark>policy</mark> &amp; 忘记<mark>密码</mark>" {
		t.Errorf("body %s", got.Body)
	}
	long := h.highlights("x", strings.Repeat("a ", 100)+"重置"+strings.Repeat(" b", 200))
	if !strings.HasPrefix(long.Body, "…a a") || !strings.HasSuffix(long.Body, "b b…") || !strings.Contains(long.Body, "<mark>重置</mark>") {
		t.Errorf("window %s", long.Body)
	}
}
