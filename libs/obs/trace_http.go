package obs

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
)

// untracedPaths are the probes and the scrape: polled every few seconds,
// they would drown the traces worth reading.
var untracedPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// TraceMux wraps a handler that routes with http.ServeMux patterns so that
// each request is served in a server span, a child of the span its
// traceparent names, named by the pattern that matched ("POST
// /v1/contacts", "GET /v1/contacts/{id}"), never the raw path; the probes
// and /metrics are not traced. With tracing off (StartTracing installed
// nothing) the spans are OpenTelemetry's no-op ones.
func TraceMux(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, "http.server",
		otelhttp.WithFilter(func(r *http.Request) bool { return !untracedPaths[r.URL.Path] }))
}
