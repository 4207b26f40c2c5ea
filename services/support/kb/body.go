package kb

import (
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// The HTML policies: what an HTML body keeps (user-generated content:
// formatting, links, images, tables; no scripts, styles or event
// handlers), and none, for an HTML body's plain text.
var (
	bodyPolicy  = bluemonday.UGCPolicy()
	plainPolicy = bluemonday.StrictPolicy().AddSpaceWhenStrippingTag(true)
)

// sanitize returns body as stored: an HTML body sanitised, Markdown as is.
func sanitize(body, format string) string {
	if format == FormatHTML {
		return bodyPolicy.Sanitize(body)
	}
	return body
}

// plainText is body's text as search indexes and highlights it: an HTML
// body without its tags, whitespace collapsed.
func plainText(body, format string) string {
	if format == FormatHTML {
		body = html.UnescapeString(plainPolicy.Sanitize(body))
	}
	return strings.Join(strings.Fields(body), " ")
}
