package obs

import "net/http"

// Mux returns a ServeMux serving GET /healthz and /readyz from h and /metrics
// from m. Mount a service's own routes beside it, or serve it on a separate
// admin port. Either argument may be nil to leave its routes out.
func Mux(h *Health, m *Metrics) *http.ServeMux {
	mux := http.NewServeMux()
	Mount(mux, h, m)
	return mux
}

// Mount registers GET /healthz, /readyz and /metrics on mux.
func Mount(mux *http.ServeMux, h *Health, m *Metrics) {
	if h != nil {
		mux.Handle("GET /healthz", h.LiveHandler())
		mux.Handle("GET /readyz", h.ReadyHandler())
	}
	if m != nil {
		mux.Handle("GET /metrics", m.Handler())
	}
}
