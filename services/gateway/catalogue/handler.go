package catalogue

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// DocumentPath is where the gateway serves the catalogue's AsyncAPI
// document, public like the OpenAPI document.
const DocumentPath = "/asyncapi.json"

// PagePath is where the gateway serves the catalogue as a page for people.
const PagePath = "/events"

//go:embed templates
var templates embed.FS

var (
	pageTemplate = template.Must(template.ParseFS(templates, "templates/events.html"))
	pageStyle    = mustRead("templates/events.css")
	// pageCSP allows nothing but the page's own style element (by its
	// hash), its form and its link: the page runs no script.
	pageCSP = "default-src 'none'; style-src 'sha256-" + hashBase64(pageStyle) + "'; form-action 'self'; " +
		"base-uri 'none'; frame-ancestors 'none'"
)

// Handler serves the document at GET /asyncapi.json (DocumentPath):
// application/json with a strong ETag, revalidated (Cache-Control
// no-cache), 304 on a matching If-None-Match.
func (c *Catalogue) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serve(w, r, "application/json", c.etag, c.doc)
	})
}

// Page serves the catalogue at GET /events (PagePath) as HTML rendered on
// the server: each channel with its event types, their descriptions and
// their payload schemas folded in <details>; ?q= keeps the types whose name,
// title or description contains it (case-insensitively), so the search
// needs no script. The page loads nothing from elsewhere and runs no
// script; its Content-Security-Policy says so.
func (c *Catalogue) Page() http.Handler {
	schemas := map[string]string{}
	for _, ch := range c.channels {
		for _, m := range ch.Messages {
			b, err := json.MarshalIndent(m.Schema, "", "  ")
			if err != nil {
				panic(err) // decoded from JSON, so it encodes
			}
			schemas[m.Type] = string(b)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		var buf bytes.Buffer
		if err := pageTemplate.Execute(&buf, c.pageData(q, schemas)); err != nil {
			http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
			return
		}
		sum := sha256.Sum256(buf.Bytes())
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		serve(w, r, "text/html; charset=utf-8", `"`+hex.EncodeToString(sum[:12])+`"`, buf.Bytes())
	})
}

// pageData is what the page's template renders.
type pageData struct {
	Title        string
	Style        template.CSS
	Query        string
	Shown, Total int
	Channels     []pageChannel
}

// pageChannel is a channel on the page.
type pageChannel struct {
	Key, Address, Description string
	Messages                  []pageMessage
}

// pageMessage is an event type on the page.
type pageMessage struct {
	Type, Title, Summary, Description, Schema string
}

// pageData selects the types matching q.
func (c *Catalogue) pageData(q string, schemas map[string]string) pageData {
	d := pageData{Title: "Rapport events", Style: template.CSS(pageStyle), Query: q, Total: len(c.messages)}
	needle := strings.ToLower(q)
	for _, ch := range c.channels {
		pc := pageChannel{Key: ch.Key, Address: ch.Address, Description: ch.Description}
		for _, m := range ch.Messages {
			text := strings.ToLower(m.Type + "\n" + m.Title + "\n" + m.Summary + "\n" + m.Description)
			if needle != "" && !strings.Contains(text, needle) {
				continue
			}
			pc.Messages = append(pc.Messages, pageMessage{Type: m.Type, Title: m.Title, Summary: m.Summary,
				Description: m.Description, Schema: schemas[m.Type]})
		}
		if len(pc.Messages) > 0 {
			d.Shown += len(pc.Messages)
			d.Channels = append(d.Channels, pc)
		}
	}
	return d
}

// serve writes body with its type and entity tag, or 304 when the
// client's copy is current.
func serve(w http.ResponseWriter, r *http.Request, contentType, etag string, body []byte) {
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// mustRead returns an embedded template file.
func mustRead(name string) string {
	b, err := templates.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// hashBase64 is the base64 SHA-256 of s, as a CSP source hash wants it.
func hashBase64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}
