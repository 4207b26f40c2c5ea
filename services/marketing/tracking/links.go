// Package tracking is the marketing service's feedback from recipients:
// the signed links of a message (open pixel, click redirect, unsubscribe,
// preference page), the opens and clicks they record, bounces and
// complaints (DSN and ARF reports through an SMTP listener or an upload),
// the tenant's suppression list and unsubscribes, published as
// message.delivered|opened|clicked|bounced|complained and
// contact.unsubscribed.
package tracking

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/net/html"
)

// The environment variables Links reads.
const (
	EnvPublicURL = "MARKETING_PUBLIC_URL"
	EnvLinkKey   = "MARKETING_LINK_KEY"
)

// defaultPublicURL is the gateway of make run, what links point at when
// MARKETING_PUBLIC_URL is unset.
const defaultPublicURL = "http://127.0.0.1:8080"

// minKeyLen is the shortest MARKETING_LINK_KEY accepted, in bytes decoded.
const minKeyLen = 32

// processKey is the random key of the links made without
// MARKETING_LINK_KEY: one per process, so that the links messaging makes
// are the ones tracking reads.
var processKey = sync.OnceValue(func() []byte {
	key := make([]byte, minKeyLen)
	rand.Read(key)
	return key
})

// ErrLinkKey is a MARKETING_LINK_KEY that is not base64 of at least 32 bytes.
var ErrLinkKey = errors.New("tracking: MARKETING_LINK_KEY must be base64 of at least 32 bytes")

// Ref is what a link is about: the message a recipient got, the tenant,
// the contact, the campaign ("" for none) and the channel ("email"|"sms").
type Ref struct {
	TenantID, MessageID, ContactID, CampaignID, Channel string
}

// UTM is the campaign tagging appended to click targets (utm_source,
// utm_medium, utm_campaign, utm_content); an empty field is left out, and
// a parameter the target already has is kept as it is.
type UTM struct {
	Source, Medium, Campaign, Content string
}

// Links makes and reads the signed links of messages: every link is
// <publicURL>/m/<tenantId>/<route>/<token>, the token an HMAC-SHA256
// signed encoding of the link's kind, its Ref (the tenant signed, not
// carried) and, for a click, its target (token.go).
type Links struct {
	base string // the public URL, without a trailing slash
	key  []byte
}

// NewLinks returns the links under publicURL (the gateway's public URL)
// signed with key.
func NewLinks(publicURL string, key []byte) Links {
	return Links{base: strings.TrimRight(publicURL, "/"), key: bytes.Clone(key)}
}

// LinksFromEnv returns the links MARKETING_PUBLIC_URL and
// MARKETING_LINK_KEY configure. An unset public URL is make run's gateway;
// an unset key is a random one (the same for every caller in the
// process), with a warning: links die with the process.
func LinksFromEnv(getenv func(string) string, logger *slog.Logger) (Links, error) {
	public := getenv(EnvPublicURL)
	if public == "" {
		public = defaultPublicURL
	}
	if u, err := url.Parse(public); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Links{}, fmt.Errorf("tracking: %s %q is not an http(s) URL", EnvPublicURL, public)
	}
	raw := getenv(EnvLinkKey)
	if raw == "" {
		logger.Warn("MARKETING_LINK_KEY is unset: tracking and unsubscribe links are signed with a random key and stop working when the process ends")
		return NewLinks(public, processKey()), nil
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		key, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(raw, "="))
	}
	if err != nil || len(key) < minKeyLen {
		return Links{}, ErrLinkKey
	}
	return NewLinks(public, key), nil
}

// PublicURL is the public URL the links are under, without a trailing
// slash.
func (l Links) PublicURL() string { return l.base }

// SubKey derives from the link key the key of another signed link of the
// service (forms' confirmation links): HMAC-SHA256 of purpose, so that
// no token of one kind ever verifies as another.
func (l Links) SubKey(purpose string) []byte {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// The route of each kind of link, under /m/<tenant>/ at the gateway and
// /public/v1/ in the service.
var routeOf = map[Kind]string{KindOpen: "t/o", KindClick: "t/c", KindUnsubscribe: "u", KindPreferences: "preferences"}

// link is the public URL of a token of kind for r.
func (l Links) link(kind Kind, r Ref, target string) string {
	return l.base + "/m/" + url.PathEscape(r.TenantID) + "/" + routeOf[kind] + "/" + l.sign(kind, r, target)
}

// Open is the open pixel's URL of r.
func (l Links) Open(r Ref) string { return l.link(KindOpen, r, "") }

// Click is the click link of r to target (taken as it is: UTM is
// Decorate's and ShortenText's business).
func (l Links) Click(r Ref, target string) string { return l.link(KindClick, r, target) }

// Unsubscribe is r's one-click unsubscribe URL: the List-Unsubscribe
// header's (RFC 8058 POST target) and the page the footer links to.
func (l Links) Unsubscribe(r Ref) string { return l.link(KindUnsubscribe, r, "") }

// Preferences is r's preference page.
func (l Links) Preferences(r Ref) string { return l.link(KindPreferences, r, "") }

// own reports whether u is one of the service's links (unsubscribe,
// preferences): those are not wrapped in click links.
func (l Links) own(u string) bool {
	return strings.HasPrefix(u, l.base+"/m/")
}

// Decorate returns html with every http(s) <a href> replaced by r's signed
// click link to it (utm appended to the target) and an open pixel before
// </body>, or at the end when there is none. The service's own links
// (unsubscribe, preferences) and other schemes (mailto:, tel:, #) are left
// as they are; the rest of the document is kept byte for byte.
func (l Links) Decorate(doc string, r Ref, utm UTM) string {
	var out strings.Builder
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := z.Raw()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(raw)
			continue
		}
		tok := z.Token()
		if tok.Data != "a" || !l.rewriteHref(&tok, r, utm) {
			out.Write(raw)
			continue
		}
		out.WriteString(tok.String())
	}
	pixel := `<img src="` + html.EscapeString(l.Open(r)) + `" width="1" height="1" alt="" style="border:0;width:1px;height:1px">`
	s := out.String()
	if i := strings.LastIndex(strings.ToLower(s), "</body>"); i >= 0 {
		return s[:i] + pixel + s[i:]
	}
	return s + pixel
}

// rewriteHref points tok's http(s) href at a click link, reporting whether
// it did.
func (l Links) rewriteHref(tok *html.Token, r Ref, utm UTM) bool {
	for i, a := range tok.Attr {
		if a.Namespace != "" || a.Key != "href" {
			continue
		}
		target := strings.TrimSpace(a.Val)
		if !trackable(target) || l.own(target) {
			return false
		}
		tok.Attr[i].Val = l.Click(r, WithUTM(target, utm))
		return true
	}
	return false
}

// trackable reports whether u is an absolute http(s) URL.
func trackable(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// textURL is an http(s) URL in plain text, up to white space or a
// character that cannot end one.
var textURL = regexp.MustCompile(`https?://[^\s<>"]+`)

// ShortenText returns text with every http(s) URL in it replaced by r's
// click link to it (utm appended). Punctuation closing a sentence after a
// URL stays outside it.
func (l Links) ShortenText(text string, r Ref, utm UTM) string {
	return textURL.ReplaceAllStringFunc(text, func(m string) string {
		u := strings.TrimRight(m, ".,;:!?)]}'")
		if !trackable(u) || l.own(u) {
			return m
		}
		return l.Click(r, WithUTM(u, utm)) + m[len(u):]
	})
}

// WithUTM returns target with utm's non-empty fields added to its query
// (after what it has, encoded as it was), keeping any utm_ parameter it
// already has.
func WithUTM(target string, utm UTM) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	have, extra := u.Query(), url.Values{}
	for _, p := range [...]struct{ k, v string }{
		{"utm_source", utm.Source}, {"utm_medium", utm.Medium}, {"utm_campaign", utm.Campaign}, {"utm_content", utm.Content},
	} {
		if p.v != "" && !have.Has(p.k) {
			extra.Set(p.k, p.v)
		}
	}
	if len(extra) == 0 {
		return target
	}
	if u.RawQuery != "" {
		u.RawQuery += "&"
	}
	u.RawQuery += extra.Encode()
	return u.String()
}
