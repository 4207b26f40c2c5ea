package obs

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// The environment variables StartTracing reads, as the OpenTelemetry
// specification names them. The OTLP exporter also reads its other
// OTEL_EXPORTER_OTLP_* variables (headers, timeout, certificates) itself.
const (
	EnvOTLPEndpoint       = "OTEL_EXPORTER_OTLP_ENDPOINT"
	EnvOTLPTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	EnvOTLPProtocol       = "OTEL_EXPORTER_OTLP_PROTOCOL"
	EnvOTLPTracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	EnvTracesExporter     = "OTEL_TRACES_EXPORTER"
	EnvTracesSampler      = "OTEL_TRACES_SAMPLER"
	EnvTracesSamplerArg   = "OTEL_TRACES_SAMPLER_ARG"
	EnvSDKDisabled        = "OTEL_SDK_DISABLED"
	EnvServiceName        = "OTEL_SERVICE_NAME"
)

// TraceOption changes how StartTracing samples.
type TraceOption func(*traceOptions)

type traceOptions struct{ publicEntry bool }

// PublicEntry is for a program whose requests come from the public
// internet (the gateway): a caller's traceparent still parents its spans,
// but the caller's sampled flag decides nothing — the program's own
// sampler decides again for every span whose parent came from outside, so
// a client can neither force every request it sends to be recorded nor
// hide one.
func PublicEntry() TraceOption { return func(o *traceOptions) { o.publicEntry = true } }

// StartTracing sets up OpenTelemetry tracing for the program serviceName
// from the standard environment and returns the function that flushes the
// spans not yet exported and stops (call it once the program has stopped
// serving).
//
// Tracing is on when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
// OTEL_EXPORTER_OTLP_ENDPOINT names an OTLP receiver (OTLP over HTTP with
// protobuf, the collector's port 4318; the second gets /v1/traces
// appended), unless OTEL_SDK_DISABLED is true or OTEL_TRACES_EXPORTER is
// none. It then installs, as OpenTelemetry's globals, a tracer provider
// batching spans to that receiver, sampled as OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG say (default parentbased_always_on, or
// parentbased_traceidratio when only the ratio is given), with
// service.name serviceName unless OTEL_SERVICE_NAME says otherwise, and the
// W3C Trace Context propagator (traceparent, tracestate).
//
// Otherwise it installs nothing: the globals stay OpenTelemetry's no-op
// defaults, nothing is exported, no traceparent is sent or stored, and no
// goroutine runs. A value it cannot use is an error naming the variable.
func StartTracing(ctx context.Context, serviceName string, opts ...TraceOption) (shutdown func(context.Context) error, err error) {
	var o traceOptions
	for _, opt := range opts {
		opt(&o)
	}
	noop := func(context.Context) error { return nil }
	endpoint, on, err := traceEndpoint()
	if err != nil || !on {
		return noop, err
	}
	sampler, err := samplerFromEnv(o.publicEntry)
	if err != nil {
		return noop, err
	}
	exporter, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(endpoint))
	if err != nil {
		return noop, fmt.Errorf("OTLP trace exporter for %s: %w", endpoint, err)
	}
	// resource.Default reads OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME;
	// the program's name replaces its unknown_service default.
	if name := strings.TrimSpace(os.Getenv(EnvServiceName)); name != "" {
		serviceName = name
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", serviceName)))
	if err != nil {
		return noop, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exporter),
		sdktrace.WithSampler(sampler),
		sdktrace.WithResource(res),
	)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	// A failed export (the collector down) is a warning in the program's
	// JSON log, not a line of the standard logger's plain text.
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { slog.Warn("tracing", "error", err.Error()) }))
	return tp.Shutdown, nil
}

// TraceFlushTimeout bounds StopTracing's export of the spans still queued.
const TraceFlushTimeout = 5 * time.Second

// StopTracing calls shutdown, StartTracing's, within TraceFlushTimeout and
// logs a failure (an unreachable collector): the spans it held are lost,
// nothing else.
func StopTracing(shutdown func(context.Context) error, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), TraceFlushTimeout)
	defer cancel()
	if err := shutdown(ctx); err != nil {
		logger.Warn("traces not flushed", "error", err.Error())
	}
}

// traceEndpoint returns the URL spans are sent to, and whether tracing is
// on at all.
func traceEndpoint() (string, bool, error) {
	if v := strings.TrimSpace(os.Getenv(EnvSDKDisabled)); v != "" {
		disabled, err := strconv.ParseBool(v)
		if err != nil {
			return "", false, fmt.Errorf("%s is %q, want true or false", EnvSDKDisabled, v)
		}
		if disabled {
			return "", false, nil
		}
	}
	switch v := strings.TrimSpace(os.Getenv(EnvTracesExporter)); v {
	case "", "otlp":
	case "none":
		return "", false, nil
	default:
		return "", false, fmt.Errorf("%s is %q: only otlp and none are supported", EnvTracesExporter, v)
	}
	for _, name := range []string{EnvOTLPTracesProtocol, EnvOTLPProtocol} {
		if v := strings.TrimSpace(os.Getenv(name)); v != "" && v != "http/protobuf" {
			return "", false, fmt.Errorf("%s is %q: only http/protobuf is supported (the collector's port 4318)", name, v)
		}
	}
	name, endpoint := EnvOTLPTracesEndpoint, strings.TrimSpace(os.Getenv(EnvOTLPTracesEndpoint))
	if endpoint == "" {
		name, endpoint = EnvOTLPEndpoint, strings.TrimSpace(os.Getenv(EnvOTLPEndpoint))
		if endpoint == "" {
			return "", false, nil
		}
		endpoint = strings.TrimRight(endpoint, "/") + "/v1/traces"
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false, fmt.Errorf("%s is %q, want an http(s) URL such as http://otel-collector:4318", name, os.Getenv(name))
	}
	return endpoint, true, nil
}

// samplerFromEnv returns the sampler OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG name; OTEL_TRACES_SAMPLER_ARG alone is
// parentbased_traceidratio at that ratio (the specification would ignore
// it). With publicEntry, a parent-based sampler decides with its root
// sampler for remote parents too.
func samplerFromEnv(publicEntry bool) (sdktrace.Sampler, error) {
	name := strings.ToLower(strings.TrimSpace(os.Getenv(EnvTracesSampler)))
	arg := strings.TrimSpace(os.Getenv(EnvTracesSamplerArg))
	if name == "" && arg != "" {
		name = "parentbased_traceidratio" // a ratio alone means sampling by it
	}
	ratio := 1.0
	if arg != "" && strings.HasSuffix(name, "traceidratio") {
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return nil, fmt.Errorf("%s is %q, want a ratio between 0 and 1", EnvTracesSamplerArg, arg)
		}
		ratio = r
	}
	var root sdktrace.Sampler
	switch strings.TrimPrefix(name, "parentbased_") {
	case "", "always_on":
		root = sdktrace.AlwaysSample()
	case "always_off":
		root = sdktrace.NeverSample()
	case "traceidratio":
		root = sdktrace.TraceIDRatioBased(ratio)
	default:
		return nil, fmt.Errorf("%s is %q: want always_on, always_off, traceidratio or their parentbased_ forms", EnvTracesSampler, name)
	}
	if name != "" && !strings.HasPrefix(name, "parentbased_") {
		return root, nil
	}
	if publicEntry {
		return sdktrace.ParentBased(root, sdktrace.WithRemoteParentSampled(root), sdktrace.WithRemoteParentNotSampled(root)), nil
	}
	return sdktrace.ParentBased(root), nil
}
