package obs_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace/noop"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/rapport-crm/rapport/libs/obs"
)

// otelEnv are the variables StartTracing reads, cleared for each test.
var otelEnv = []string{obs.EnvOTLPEndpoint, obs.EnvOTLPTracesEndpoint, obs.EnvOTLPProtocol, obs.EnvOTLPTracesProtocol,
	obs.EnvTracesExporter, obs.EnvTracesSampler, obs.EnvTracesSamplerArg, obs.EnvSDKDisabled, obs.EnvServiceName}

func clearOTelEnv(t *testing.T) {
	for _, k := range otelEnv {
		t.Setenv(k, "")
	}
}

// TestTracingOffByDefault checks that without an OTLP endpoint (or with
// tracing disabled) StartTracing installs nothing: the global tracer
// provider and propagator stay the no-op ones it found.
func TestTracingOffByDefault(t *testing.T) {
	for _, env := range [][2]string{{"", ""}, {obs.EnvSDKDisabled, "true"}, {obs.EnvTracesExporter, "none"}} {
		clearOTelEnv(t)
		if env[0] != "" {
			t.Setenv(obs.EnvOTLPEndpoint, "http://127.0.0.1:1")
			t.Setenv(env[0], env[1])
		}
		tp, prop := otel.GetTracerProvider(), otel.GetTextMapPropagator()
		shutdown, err := obs.StartTracing(t.Context(), "test")
		if err != nil {
			t.Fatalf("%v: %v", env, err)
		}
		if otel.GetTracerProvider() != tp || otel.GetTextMapPropagator() != prop {
			t.Errorf("%v: StartTracing installed a tracer provider or propagator", env)
		}
		if err := shutdown(t.Context()); err != nil {
			t.Error(err)
		}
	}
}

// TestTracingRefusesBadSettings checks each unusable value is an error
// naming its variable.
func TestTracingRefusesBadSettings(t *testing.T) {
	for _, c := range []struct{ name, value string }{
		{obs.EnvOTLPEndpoint, "collector:4318"},
		{obs.EnvOTLPTracesEndpoint, "ftp://collector/v1/traces"},
		{obs.EnvOTLPProtocol, "grpc"},
		{obs.EnvTracesSampler, "sometimes"},
		{obs.EnvTracesSamplerArg, "1.5"},
		{obs.EnvTracesExporter, "zipkin"},
		{obs.EnvSDKDisabled, "maybe"},
	} {
		clearOTelEnv(t)
		t.Setenv(obs.EnvOTLPEndpoint, "http://127.0.0.1:1")
		t.Setenv(obs.EnvTracesSampler, "parentbased_traceidratio")
		t.Setenv(c.name, c.value)
		if _, err := obs.StartTracing(t.Context(), "test"); err == nil || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s=%s: error %v, want one naming %s", c.name, c.value, err, c.name)
		}
	}
}

// TestTracingExportsOverOTLP checks that with OTEL_EXPORTER_OTLP_ENDPOINT
// set, a span reaches an OTLP/HTTP receiver at <endpoint>/v1/traces when
// tracing stops, under the program's service name, and that the W3C
// propagator is installed.
func TestTracingExportsOverOTLP(t *testing.T) {
	var (
		mu  sync.Mutex
		got []*coltracepb.ExportTraceServiceRequest
	)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if r.URL.Path != "/v1/traces" || err != nil || proto.Unmarshal(body, req) != nil {
			http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
			return
		}
		mu.Lock()
		got = append(got, req)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	defer receiver.Close()
	clearOTelEnv(t)
	t.Setenv(obs.EnvOTLPEndpoint, receiver.URL)
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})

	shutdown, err := obs.StartTracing(t.Context(), "notes")
	if err != nil {
		t.Fatal(err)
	}
	_, span := otel.Tracer("test").Start(t.Context(), "exported")
	span.End()
	if fields := otel.GetTextMapPropagator().Fields(); len(fields) == 0 || fields[0] != "traceparent" {
		t.Errorf("the propagator writes %v, want traceparent", fields)
	}
	obs.StopTracing(shutdown, slog.New(slog.DiscardHandler))

	mu.Lock()
	defer mu.Unlock()
	var names, services []string
	for _, req := range got {
		for _, rs := range req.ResourceSpans {
			for _, a := range rs.Resource.Attributes {
				if a.Key == "service.name" {
					services = append(services, a.Value.GetStringValue())
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					names = append(names, s.Name)
				}
			}
		}
	}
	if len(names) != 1 || names[0] != "exported" || len(services) != 1 || services[0] != "notes" {
		t.Errorf("the receiver got spans %v of services %v, want [exported] of [notes]", names, services)
	}
}
