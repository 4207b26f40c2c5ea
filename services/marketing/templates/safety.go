package templates

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// scriptElements are the elements that run code or embed another
// document, refused in a template's HTML.
var scriptElements = []atom.Atom{atom.Script, atom.Iframe, atom.Frame, atom.Frameset, atom.Object, atom.Embed, atom.Applet,
	atom.Base}

// urlAttributes are the attributes holding a URL a browser or mail client
// may follow or load.
var urlAttributes = []string{"href", "src", "action", "formaction", "background", "poster", "xlink:href", "srcset", "data"}

// scriptSchemes are URL schemes that run code.
var scriptSchemes = []string{"javascript:", "vbscript:", "data:text/html", "data:application/xhtml", "data:image/svg"}

// checkHTML refuses HTML that would run script in a mail client or a
// browser: a script (or frame, object, embed, applet, base) element, an
// event handler attribute (on…), a script URL (javascript:, vbscript:,
// data: HTML or SVG) in a link or source, or a style with expression()
// or such a URL. The error says where (line and column) and what.
func checkHTML(src string) error {
	z := html.NewTokenizer(strings.NewReader(src))
	offset := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() == io.EOF {
				return nil
			}
			return fmt.Errorf("%s: %v", position(src, offset), z.Err())
		}
		raw := len(z.Raw())
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			tok := z.Token()
			if err := checkTag(tok); err != nil {
				return fmt.Errorf("%s: %w", position(src, offset), err)
			}
		}
		offset += raw
	}
}

// checkTag checks one start tag.
func checkTag(tok html.Token) error {
	if slices.Contains(scriptElements, tok.DataAtom) {
		return fmt.Errorf("<%s> is not allowed in a template", tok.Data)
	}
	for _, a := range tok.Attr {
		name := strings.ToLower(a.Key)
		if a.Namespace != "" {
			name = a.Namespace + ":" + name
		}
		val := compact(a.Val)
		switch {
		case strings.HasPrefix(name, "on"):
			return fmt.Errorf("event handler attribute %s on <%s> is not allowed in a template", a.Key, tok.Data)
		case slices.Contains(urlAttributes, name) && scriptURL(val):
			return fmt.Errorf("a script URL in %s of <%s> is not allowed in a template", a.Key, tok.Data)
		case name == "style" && (strings.Contains(val, "expression(") || strings.Contains(val, "javascript:") ||
			strings.Contains(val, "vbscript:")):
			return fmt.Errorf("script in the style of <%s> is not allowed in a template", tok.Data)
		case tok.DataAtom == atom.Meta && name == "http-equiv" && val == "refresh":
			return fmt.Errorf("<meta http-equiv=refresh> is not allowed in a template")
		}
	}
	return nil
}

// compact is an attribute's value as a browser reads its scheme: lower
// case, without the whitespace and control characters it ignores.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// scriptURL reports whether a compacted URL runs code.
func scriptURL(u string) bool {
	for _, s := range scriptSchemes {
		if strings.HasPrefix(u, s) {
			return true
		}
	}
	return false
}
