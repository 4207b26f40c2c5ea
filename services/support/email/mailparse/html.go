package mailparse

import (
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// policy is the sanitiser of HTML bodies: user-generated content's (no
// scripts, no event handlers, no styles, safe links only).
var policy = bluemonday.UGCPolicy()

// Sanitize returns an HTML body without what could run in a reader's
// browser.
func Sanitize(body string) string { return policy.Sanitize(body) }

// blocks are the elements that end a line of the text version.
var blocks = map[string]bool{"br": true, "p": true, "div": true, "li": true, "tr": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "table": true, "hr": true}

// skipped are the elements whose text is no text of the mail.
var skipped = map[string]bool{"script": true, "style": true, "head": true, "title": true}

// TextOf returns the text of an HTML body: its text nodes, a line per
// block, entities decoded, blank lines collapsed.
func TextOf(body string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return collapse(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if skipped[string(name)] {
				skip++
			} else if blocks[string(name)] {
				b.WriteByte('\n')
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if skipped[string(name)] && skip > 0 {
				skip--
			} else if blocks[string(name)] {
				b.WriteByte('\n')
			}
		}
	}
}

// collapse trims every line and keeps at most one blank line in a row.
func collapse(s string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out, blank = append(out, line), false
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
