package proxy

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/rapport-crm/rapport/libs/obs"
)

// traceHeaders are the W3C Trace Context and Baggage headers. A client's
// never reach a service: the gateway's server span takes the client's
// traceparent as its parent only (obs.TraceMux; its sampler decides anew,
// obs.PublicEntry), and each attempt upstream carries the traceparent of
// its own client span instead (with the tracestate that span inherited, as
// W3C Trace Context asks; no baggage, which nothing here propagates).
var traceHeaders = []string{"Traceparent", "Tracestate", "Baggage"}

// stripTraceContext removes the client's trace headers from h.
func stripTraceContext(h http.Header) {
	for _, name := range traceHeaders {
		h.Del(name)
	}
}

// tracedTransport wraps base so that each attempt upstream is a client
// span named "proxy <service>" whose traceparent the request carries
// (nothing when tracing is off: obs.TraceTransport).
func tracedTransport(base http.RoundTripper) http.RoundTripper {
	return obs.TraceTransport(base, func(r *http.Request) string {
		if pl := planFrom(r.Context()); pl != nil {
			return "proxy " + pl.service
		}
		return "proxy"
	})
}

// annotateSpan names on the request's server span, when it is recorded, the
// service and the route prefix the request goes to: the gateway's mux
// serves every proxied path under one pattern ("/"), which names the span.
func annotateSpan(ctx context.Context, route Route) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(attribute.String("rapport.upstream.service", route.Service),
			attribute.String("rapport.upstream.prefix", route.Prefix))
	}
}
