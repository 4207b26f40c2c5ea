package proxy

import (
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// streamSize is the body size of the streaming tests.
const streamSize = 200 << 20

// patternReader produces n bytes of a repeating pattern without holding
// them: the body of a large upload, generated as it is read.
type patternReader struct{ left int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	for i := range p {
		p[i] = byte('a' + i%26)
	}
	r.left -= int64(len(p))
	return len(p), nil
}

// memWatch samples the heap while a transfer runs.
type memWatch struct {
	start     runtime.MemStats
	peakInuse atomic.Uint64
	stop      chan struct{}
	done      chan struct{}
}

func watchMemory() *memWatch {
	runtime.GC()
	m := &memWatch{stop: make(chan struct{}), done: make(chan struct{})}
	runtime.ReadMemStats(&m.start)
	m.peakInuse.Store(m.start.HeapInuse)
	go func() {
		defer close(m.done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				var s runtime.MemStats
				runtime.ReadMemStats(&s)
				if s.HeapInuse > m.peakInuse.Load() {
					m.peakInuse.Store(s.HeapInuse)
				}
			}
		}
	}()
	return m
}

// finish returns the peak growth of HeapInuse and the bytes allocated since
// the watch started.
func (m *memWatch) finish() (peakGrowth, allocated uint64) {
	close(m.stop)
	<-m.done
	var end runtime.MemStats
	runtime.ReadMemStats(&end)
	peak := m.peakInuse.Load()
	if peak > m.start.HeapInuse {
		peakGrowth = peak - m.start.HeapInuse
	}
	return peakGrowth, end.TotalAlloc - m.start.TotalAlloc
}

// memLimit is far below the 200 MB that went through: buffering the body
// anywhere (client, gateway, upstream share this process) would exceed it.
const memLimit = 16 << 20

func TestHandlerStreamsUpload(t *testing.T) {
	e := newEnv(t)
	up := newUpstream(t, e, "contacts", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, strconv.FormatInt(n, 10))
	})
	_, gw := newGateway(t, e, Config{Resolver: instances(up.addr())})

	tests := []struct {
		name          string
		contentLength int64 // -1: chunked
	}{
		{"content length", streamSize},
		{"chunked", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, gw.URL+"/v1/contacts/1/attachment", &patternReader{left: streamSize})
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = tt.contentLength
			req.Header.Set("Authorization", "Bearer "+e.token(t, *writer()))
			mem := watchMemory()
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			took := time.Since(start)
			peak, alloc := mem.finish()
			if resp.StatusCode != http.StatusOK || string(body) != strconv.Itoa(streamSize) {
				t.Fatalf("got %d %q, want 200 %d", resp.StatusCode, body, streamSize)
			}
			t.Logf("upload of %d MB: %v, heap in use grew at most %.1f MB, %.1f MB allocated", streamSize>>20, took, mb(peak), mb(alloc))
			if peak > memLimit || alloc > memLimit {
				t.Errorf("heap grew %.1f MB and %.1f MB were allocated, want both under %d MB", mb(peak), mb(alloc), memLimit>>20)
			}
		})
	}
}

func TestHandlerStreamsDownload(t *testing.T) {
	e := newEnv(t)
	up := newUpstream(t, e, "contacts", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(streamSize))
		_, _ = io.Copy(w, &patternReader{left: streamSize})
	})
	_, gw := newGateway(t, e, Config{Resolver: instances(up.addr())})

	mem := watchMemory()
	start := time.Now()
	resp := do(t, http.MethodGet, gw.URL+"/v1/contacts/export", writer(), e, nil, nil)
	n, err := io.Copy(io.Discard, resp.Body)
	took := time.Since(start)
	peak, alloc := mem.finish()
	if err != nil || resp.StatusCode != http.StatusOK || n != streamSize {
		t.Fatalf("got %d, %d bytes, %v; want 200, %d bytes", resp.StatusCode, n, err, streamSize)
	}
	t.Logf("download of %d MB: %v, heap in use grew at most %.1f MB, %.1f MB allocated", streamSize>>20, took, mb(peak), mb(alloc))
	if peak > memLimit || alloc > memLimit {
		t.Errorf("heap grew %.1f MB and %.1f MB were allocated, want both under %d MB", mb(peak), mb(alloc), memLimit>>20)
	}
}

func TestHandlerFlushesStreamedResponses(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
	}{
		{"server-sent events", "text/event-stream"},
		{"a stream of unknown length", "application/x-ndjson"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			next := make(chan struct{})
			up := newUpstream(t, e, "contacts", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				_, _ = io.WriteString(w, "data: first\n\n")
				w.(http.Flusher).Flush()
				<-next
				_, _ = io.WriteString(w, "data: second\n\n")
			})
			_, gw := newGateway(t, e, Config{Resolver: instances(up.addr())})
			resp := do(t, http.MethodGet, gw.URL+"/v1/contacts/events", writer(), e, nil, nil)
			buf := make([]byte, len("data: first\n\n"))
			got := make(chan string, 1)
			go func() {
				_, err := io.ReadFull(resp.Body, buf)
				if err != nil {
					got <- err.Error()
					return
				}
				got <- string(buf)
			}()
			select {
			case s := <-got:
				if want := "data: first\n\n"; s != want {
					t.Errorf("first event = %q, want %q", s, want)
				}
			case <-time.After(3 * time.Second):
				t.Error("the first event did not arrive before the upstream finished: the gateway buffers")
			}
			close(next)
		})
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
