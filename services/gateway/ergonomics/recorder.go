package ergonomics

import (
	"bytes"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// recorder buffers a 200 JSON answer and passes any other through as it is
// written.
type recorder struct {
	w         http.ResponseWriter
	max       int  // the largest body buffered, unless unbounded
	unbounded bool // buffer whatever the size (a fields= request)

	decided   bool // the status is known
	buffering bool // the answer is being buffered
	buf       bytes.Buffer
}

// Header returns the underlying writer's headers: the buffered answer is
// written with them.
func (rec *recorder) Header() http.Header { return rec.w.Header() }

// WriteHeader decides whether the answer is buffered.
func (rec *recorder) WriteHeader(code int) {
	if rec.decided {
		if !rec.buffering {
			rec.w.WriteHeader(code)
		}
		return
	}
	rec.decided = true
	h := rec.w.Header()
	rec.buffering = code == http.StatusOK && isJSON(h.Get("Content-Type")) && h.Get("Content-Encoding") == ""
	if n, err := strconv.Atoi(h.Get("Content-Length")); rec.buffering && !rec.unbounded && err == nil && n > rec.max {
		rec.buffering = false
	}
	if !rec.buffering {
		rec.w.WriteHeader(code)
	}
}

// Write buffers p, or writes it through; a buffered answer that outgrows
// the bound is written through from then on.
func (rec *recorder) Write(p []byte) (int, error) {
	if !rec.decided {
		rec.WriteHeader(http.StatusOK)
	}
	if !rec.buffering {
		return rec.w.Write(p)
	}
	if !rec.unbounded && rec.buf.Len()+len(p) > rec.max {
		rec.buffering = false
		rec.w.WriteHeader(http.StatusOK)
		if _, err := rec.w.Write(rec.buf.Bytes()); err != nil {
			return 0, err
		}
		rec.buf = bytes.Buffer{}
		return rec.w.Write(p)
	}
	return rec.buf.Write(p)
}

// Flush flushes an answer written through (an event stream); a buffered one
// is written whole at the end. A Flush before any Write sends the status,
// as net/http's own does.
func (rec *recorder) Flush() {
	if !rec.decided {
		rec.WriteHeader(http.StatusOK)
	}
	if !rec.buffering {
		_ = http.NewResponseController(rec.w).Flush() // a writer that cannot flush writes at the end anyway
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.w }

// finish reports whether the answer was buffered and is still to be written.
// An answer without a body (no Write) is decided here as a 200.
func (rec *recorder) finish() bool {
	if !rec.decided {
		rec.WriteHeader(http.StatusOK)
	}
	return rec.buffering
}

// isJSON reports whether a Content-Type is JSON: application/json or a
// …+json type.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}
