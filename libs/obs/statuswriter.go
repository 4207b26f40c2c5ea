package obs

import (
	"bufio"
	"net"
	"net/http"
	"time"
)

// StatusWriter is an http.ResponseWriter that remembers the status of the
// response written through it, for middleware that records it (metrics, the
// audit log). Flush and Unwrap pass through, so a streamed response still
// streams and http.ResponseController reaches the writer beneath; a
// connection hijacked (a WebSocket's, its 101 written on the connection by
// httputil.ReverseProxy or the socket library) is recorded as 101 Switching
// Protocols at the time of the switch.
//
//	sw := &obs.StatusWriter{ResponseWriter: w}
//	next.ServeHTTP(sw, r)
//	record(sw.Status())
type StatusWriter struct {
	http.ResponseWriter
	code     int
	switched time.Time
}

// WriteHeader implements http.ResponseWriter, remembering the first final
// (non-1xx) status.
func (w *StatusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter; a body without a status is a 200.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher; flushing without a status sends a 200.
func (w *StatusWriter) Flush() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // nothing to do if it cannot
}

// Hijack implements http.Hijacker through the writer beneath; a connection
// taken over with no status written yet is a 101 Switching Protocols.
func (w *StatusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && w.code == 0 {
		w.code, w.switched = http.StatusSwitchingProtocols, time.Now()
	}
	return conn, brw, err
}

// Switched returns when the connection was hijacked to switch protocols
// (the zero time when it was not): the end of the request, the rest being
// the life of the socket.
func (w *StatusWriter) Switched() time.Time { return w.switched }

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status returns the status of the response: 200 when the handler wrote
// none, as net/http then answers.
func (w *StatusWriter) Status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
