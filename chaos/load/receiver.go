package load

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
)

// Receiver is a local webhook endpoint: each tenant's subscription posts
// to URL(slug), and the receiver counts each event id (the structured
// CloudEvent's id) per tenant, answering 200 at once.
type Receiver struct {
	ln  net.Listener
	srv *http.Server
	mu  sync.Mutex
	got map[string]map[string]int
}

// NewReceiver listens on a free loopback port.
func NewReceiver() (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Receiver{ln: ln, got: map[string]map[string]int{}}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve)}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// URL is where tenant slug's subscription posts.
func (r *Receiver) URL(slug string) string {
	return "http://" + r.ln.Addr().String() + "/hooks/" + slug
}

// serve counts one delivery.
func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	var ev struct {
		ID string `json:"id"` // the CloudEvent's id: the event's, the same in every delivery of it
	}
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	_ = json.Unmarshal(body, &ev) // a body that is no event counts as none
	slug := strings.TrimPrefix(req.URL.Path, "/hooks/")
	if id := ev.ID; id != "" {
		r.mu.Lock()
		if r.got[slug] == nil {
			r.got[slug] = map[string]int{}
		}
		r.got[slug][id]++
		r.mu.Unlock()
	}
	w.WriteHeader(http.StatusOK)
}

// Received returns a copy of tenant slug's event ids with how many times
// each was delivered.
func (r *Receiver) Received(slug string) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.got[slug]))
	for k, v := range r.got[slug] {
		out[k] = v
	}
	return out
}

// Close stops the receiver.
func (r *Receiver) Close() error { return r.srv.Close() }
