package proxy

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace/noop"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/rapport-crm/rapport/libs/discovery"
	"github.com/rapport-crm/rapport/libs/obs"
)

// TestTraceContextUpstream checks what a client's trace headers become
// upstream: dropped with tracing off; with tracing on, the client's trace
// goes on (same trace id) under the gateway's own span, sampled by the
// gateway whatever the client's flag says, and the client's baggage never
// reaches the service (its tracestate does, inherited by the gateway's span
// as W3C Trace Context asks); the exported spans name the upstream.
func TestTraceContextUpstream(t *testing.T) {
	for _, k := range []string{obs.EnvOTLPEndpoint, obs.EnvOTLPTracesEndpoint, obs.EnvTracesSampler} {
		t.Setenv(k, "")
	}
	e := newEnv(t)
	up := newUpstream(t, e, "contacts", nil)
	h, err := New(Config{Resolver: discovery.NewStatic(map[string]string{"contacts": up.addr()}),
		Authenticator: e.authenticator(), Tenants: tenants, Signer: e.internal})
	if err != nil {
		t.Fatal(err)
	}
	gw := httptest.NewServer(obs.TraceMux(h))
	t.Cleanup(func() { gw.Close(); h.Close() })

	const clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	client := map[string]string{
		"Traceparent": "00-" + clientTrace + "-00f067aa0ba902b7-00", // not sampled
		"Tracestate":  "vendor=forged",
		"Baggage":     "role=admin",
	}
	send := func() http.Header {
		t.Helper()
		if resp := do(t, http.MethodGet, gw.URL+"/v1/contacts/42", writer(), e, nil, client); resp.StatusCode != http.StatusOK {
			t.Fatalf("status = %d, want 200", resp.StatusCode)
		}
		return up.last(t).Header
	}

	for name, v := range send() {
		if name == "Traceparent" || name == "Tracestate" || name == "Baggage" {
			t.Errorf("with tracing off, the upstream got the client's %s %q", name, v)
		}
	}

	var (
		mu       sync.Mutex
		exported []*tracepb.Span
	)
	collector := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if proto.Unmarshal(body, req) != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				exported = append(exported, ss.Spans...)
			}
		}
	}))
	t.Cleanup(collector.Close)
	t.Setenv(obs.EnvOTLPEndpoint, collector.URL)
	shutdown, err := obs.StartTracing(t.Context(), "gateway", obs.PublicEntry())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		obs.StopTracing(shutdown, slog.New(slog.DiscardHandler))
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	got := send()
	parts := strings.Split(got.Get("Traceparent"), "-")
	if len(parts) != 4 || parts[1] != clientTrace || parts[2] == "00f067aa0ba902b7" || parts[3] != "01" {
		t.Errorf("upstream traceparent = %q, want the client's trace %s under a span of the gateway's, sampled", got.Get("Traceparent"), clientTrace)
	}
	if v := got.Get("Baggage"); v != "" {
		t.Errorf("the upstream got the client's baggage %q", v)
	}

	// The gateway's server span names the service, and each attempt is a
	// client span named for it.
	obs.StopTracing(shutdown, slog.New(slog.DiscardHandler))
	mu.Lock()
	defer mu.Unlock()
	var names []string
	upstream := ""
	for _, s := range exported {
		names = append(names, s.Name)
		for _, a := range s.Attributes {
			if a.Key == "rapport.upstream.service" {
				upstream = a.Value.GetStringValue()
			}
		}
	}
	if !slices.Contains(names, "proxy contacts") || upstream != "contacts" {
		t.Errorf("exported spans %v, upstream service %q; want a client span 'proxy contacts' and the server span naming contacts", names, upstream)
	}
}
