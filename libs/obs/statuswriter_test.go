package obs_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/obs"
)

func TestStatusWriter(t *testing.T) {
	tests := []struct {
		name  string
		write func(w http.ResponseWriter)
		want  int
	}{
		{"nothing written", func(http.ResponseWriter) {}, http.StatusOK},
		{"a status", func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated) }, http.StatusCreated},
		{"the first status", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound); w.WriteHeader(http.StatusOK) }, http.StatusNotFound},
		{"1xx is not the final status", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusAccepted)
		}, http.StatusAccepted},
		{"a body alone", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")); w.WriteHeader(http.StatusTeapot) }, http.StatusOK},
		{"a flush alone", func(w http.ResponseWriter) { w.(http.Flusher).Flush(); w.WriteHeader(http.StatusTeapot) }, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sw := &obs.StatusWriter{ResponseWriter: httptest.NewRecorder()}
			tt.write(sw)
			if got := sw.Status(); got != tt.want {
				t.Errorf("Status() = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestStatusWriterPassesThrough: a flush reaches the client at once, and
// http.ResponseController reaches the writer beneath.
func TestStatusWriterPassesThrough(t *testing.T) {
	rec := httptest.NewRecorder()
	sw := &obs.StatusWriter{ResponseWriter: rec}
	_, _ = sw.Write([]byte("part"))
	sw.Flush()
	if !rec.Flushed {
		t.Error("Flush did not reach the recorder")
	}
	if sw.Unwrap() != rec {
		t.Error("Unwrap does not return the wrapped writer")
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &obs.StatusWriter{ResponseWriter: w}
		if err := http.NewResponseController(sw).SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline through the StatusWriter: %v", err)
		}
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
