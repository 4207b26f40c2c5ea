package tracking

import (
	"context"
	"html/template"
	"net/http"
)

// pixel is a transparent 1x1 GIF, the open pixel's body.
var pixel = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// pageCSP is the public pages' Content-Security-Policy: their own inline
// style, nothing else loaded, framed by no one.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

// layout is the public pages' frame: small, readable, accessible.
const layout = `{{define "top"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
button{font:inherit;padding:.5rem 1.25rem;border:0;border-radius:.25rem;background:#1d4ed8;color:#fff;cursor:pointer}
fieldset{border:1px solid #ccc;border-radius:.25rem;margin:1rem 0}label{margin-left:.25rem}</style></head>
<body><main>{{end}}{{define "bottom"}}</main></body></html>{{end}}`

// pages are the public pages: the unsubscribe confirmation (a button:
// never an unsubscribe on GET, which mail scanners prefetch), its result,
// and the preference page.
var pages = template.Must(template.New("pages").Parse(layout + `
{{define "unsubscribe"}}{{template "top" "Unsubscribe"}}<h1>Unsubscribe</h1>
{{if .Done}}<p role="status">{{.Address}} is unsubscribed from {{.Channel}} messages.</p>
{{else if .Address}}<p>Stop {{.Channel}} messages to {{.Address}}?</p>
<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">Unsubscribe</button></form>
{{else}}<p>There is nothing to unsubscribe from here.</p>{{end}}{{template "bottom"}}{{end}}
{{define "preferences"}}{{template "top" "Your preferences"}}<h1>Your preferences</h1>
{{if .Saved}}<p role="status">Your preferences are saved.</p>{{end}}
{{if .Channels}}<form method="post"><fieldset><legend>Send me messages by</legend>
{{range .Channels}}<div><input type="checkbox" id="ch-{{.Channel}}" name="{{.Channel}}" value="on"{{if .Subscribed}} checked{{else}} disabled{{end}}>
<label for="ch-{{.Channel}}">{{if eq .Channel "sms"}}SMS{{else}}Email{{end}} to {{.Address}}{{if not .Subscribed}} (unsubscribed){{end}}</label></div>
{{end}}</fieldset><input type="hidden" name="submitted" value="yes"><button type="submit">Save</button></form>
{{else}}<p>There are no preferences to set here.</p>{{end}}{{template "bottom"}}{{end}}`))

// page is a public page to render: the template's name, its data, the
// status.
type page struct {
	name   string
	data   any
	status int
}

// preferencesPage is the preference page's data.
type preferencesPage struct {
	Preferences
	Saved bool
}

// encodePage writes a page as HTML, never cached.
func encodePage(_ context.Context, w http.ResponseWriter, resp any) error {
	p := resp.(page)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pageCSP)
	w.WriteHeader(p.status)
	return pages.ExecuteTemplate(w, p.name, p.data)
}

// encodePixel writes the open pixel, never cached (each open fetches it).
func encodePixel(_ context.Context, w http.ResponseWriter, _ any) error {
	h := w.Header()
	h.Set("Content-Type", "image/gif")
	h.Set("Cache-Control", "no-store, max-age=0")
	_, err := w.Write(pixel)
	return err
}

// redirect is a click's target.
type redirect string

// encodeRedirect answers 302 to the click's target, never cached (each
// click comes back here).
func encodeRedirect(_ context.Context, w http.ResponseWriter, resp any) error {
	h := w.Header()
	h.Set("Location", string(resp.(redirect)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusFound)
	return nil
}
