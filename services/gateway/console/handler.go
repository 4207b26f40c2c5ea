package console

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// file is one built file, held in memory with its gzipped form.
type file struct {
	body, gzipped []byte
	ctype         string
}

// Handler serves the console from assets; next serves everything the
// console does not own: any method but GET and HEAD, and the paths isAPI
// says belong to the API.
type Handler struct {
	files  map[string]*file
	isAPI  func(path string) bool
	next   http.Handler
	loaded time.Time
}

// New reads the built console from assets into memory (gzipping what
// compresses) and returns its handler.
func New(assets fs.FS, isAPI func(string) bool, next http.Handler) (*Handler, error) {
	h := &Handler{files: map[string]*file{}, isAPI: isAPI, next: next, loaded: time.Now()}
	err := fs.WalkDir(assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		body, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		f := &file{body: body, ctype: mime.TypeByExtension(path.Ext(p))}
		if f.ctype == "" {
			f.ctype = http.DetectContentType(body)
		}
		if compressible(f.ctype) && len(body) > 512 {
			f.gzipped = gzipBytes(body)
		}
		h.files["/"+p] = f
		return nil
	})
	return h, err
}

// Built says whether the embedded console was built (index.html is there).
func (h *Handler) Built() bool { return h.files["/index.html"] != nil }

// ServeHTTP serves an asset, index.html for a console route, or passes
// the request on.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || h.isAPI(r.URL.Path) {
		h.next.ServeHTTP(w, r)
		return
	}
	secure(w.Header())
	if f, ok := h.files[r.URL.Path]; ok && r.URL.Path != "/index.html" {
		// Vite names every asset by its content's hash: it never changes.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		h.write(w, r, f)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/assets/") {
		http.NotFound(w, r) // an old chunk after a deploy: the app reloads itself
		return
	}
	index := h.files["/index.html"]
	if index == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("The console is not built into this gateway: run `make build` (scripts/console.sh) and rebuild it.\n"))
		return
	}
	// index.html names the current assets: always ask again.
	w.Header().Set("Cache-Control", "no-cache")
	h.write(w, r, index)
}

// write sends f, gzipped when the client takes it.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, f *file) {
	w.Header().Set("Content-Type", f.ctype)
	body := f.body
	if f.gzipped != nil {
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			w.Header().Set("Content-Encoding", "gzip")
			body = f.gzipped
		}
	}
	http.ServeContent(w, r, "", h.loaded, bytes.NewReader(body))
}

// acceptsGzip says whether the request's Accept-Encoding lists gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

// compressible says whether a content type is text-like.
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || strings.Contains(ctype, "javascript") ||
		strings.Contains(ctype, "json") || strings.Contains(ctype, "svg")
}

// gzipBytes compresses b at the best level (once, at start-up).
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// IsAPIPath says whether p is under one of the gateway's API roots or is
// /metrics (served only on the internal listener): the console never
// answers for them, whatever the method. The platform's admin API is
// /admin/v1/…; the rest of /admin/… is the console's administration pages.
func IsAPIPath(p string) bool {
	if p == "/metrics" {
		return true
	}
	for _, root := range []string{"/v1/", "/admin/v1/", "/internal/", "/.well-known/"} {
		if strings.HasPrefix(p, root) || p == strings.TrimSuffix(root, "/") {
			return true
		}
	}
	return false
}
