package obs

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// untracedPaths are the probes and the scrape: polled every few seconds,
// they would drown the traces worth reading.
var untracedPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// Tracing reports whether spans are recorded: whether an OpenTelemetry SDK
// tracer provider is the global one (StartTracing installed it, or a
// test). The HTTP instrumentation asks it on every request, so that with
// tracing off a request costs what it did without any.
func Tracing() bool {
	_, on := otel.GetTracerProvider().(*sdktrace.TracerProvider)
	return on
}

// TraceMux wraps a handler that routes with http.ServeMux patterns so that
// each request is served in a server span, a child of the span its
// traceparent names, named by the pattern that matched ("POST
// /v1/contacts", "GET /v1/contacts/{id}"), never the raw path; the probes
// and /metrics are not traced. With tracing off (Tracing) h serves alone.
func TraceMux(h http.Handler) http.Handler {
	traced := otelhttp.NewHandler(h, "http.server",
		otelhttp.WithFilter(func(r *http.Request) bool { return !untracedPaths[r.URL.Path] }))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Tracing() {
			traced.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// TraceTransport wraps base so that with tracing on each request it sends
// is a client span, named by name (nil: the method), whose traceparent the
// request carries; with tracing off (Tracing) base sends it alone.
func TraceTransport(base http.RoundTripper, name func(*http.Request) string) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	var opts []otelhttp.Option
	if name != nil {
		opts = append(opts, otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return name(r) }))
	}
	return tracedTransport{base: base, traced: otelhttp.NewTransport(base, opts...)}
}

// tracedTransport is TraceTransport's round tripper.
type tracedTransport struct {
	base, traced http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t tracedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if Tracing() {
		return t.traced.RoundTrip(r)
	}
	return t.base.RoundTrip(r)
}
