package events

import (
	"context"
	"strconv"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// The trace context of an event travels in the CloudEvents distributed
// tracing extension (traceparent; the record header ce_traceparent): the
// outbox stores the traceparent of the span an event is added in, the relay
// writes it, and a consumer processes the event in a span whose parent it
// is, so a change, the events it publishes and what their consumers do are
// one trace. With tracing off (obs.StartTracing installed nothing), the
// global propagator is OpenTelemetry's no-op one: nothing is stored, sent
// or read.

// tracerName names the consumer's spans' instrumentation scope.
const tracerName = "github.com/rapport-crm/rapport/libs/events"

// traceParentKey is the W3C Trace Context header the propagator writes.
const traceParentKey = "traceparent"

// TraceParent returns the W3C traceparent of ctx's span as the global
// propagator writes it, or "" when ctx holds no valid span context or
// tracing is off.
func TraceParent(ctx context.Context) string {
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	return carrier[traceParentKey]
}

// WithTraceParent returns ctx with the remote span context traceparent
// describes, read by the global propagator; ctx itself when traceparent is
// empty or malformed, or tracing is off.
func WithTraceParent(ctx context.Context, traceparent string) context.Context {
	if traceparent == "" {
		return ctx
	}
	return otel.GetTextMapPropagator().Extract(ctx, propagation.MapCarrier{traceParentKey: traceparent})
}

// startProcess starts the consumer span of record m of group: named
// "process <topic>", a child of the span its ce_traceparent names (parent,
// not link: one record is processed at a time, so the event's trace goes
// on through the handler and what it adds to the outbox).
func startProcess(ctx context.Context, m kafka.Message, group string) (context.Context, trace.Span) {
	var id, typ, tp string
	for _, h := range m.Headers {
		switch h.Key {
		case HeaderID:
			id = string(h.Value)
		case HeaderType:
			typ = string(h.Value)
		case HeaderTraceParent:
			tp = string(h.Value)
		}
	}
	return otel.Tracer(tracerName).Start(WithTraceParent(ctx, tp), "process "+m.Topic,
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "kafka"),
			attribute.String("messaging.operation.name", "process"),
			attribute.String("messaging.operation.type", "process"),
			attribute.String("messaging.destination.name", m.Topic),
			attribute.String("messaging.consumer.group.name", group),
			attribute.String("messaging.destination.partition.id", strconv.Itoa(m.Partition)),
			attribute.Int64("messaging.kafka.offset", m.Offset),
			attribute.String("messaging.message.id", id),
			attribute.String("cloudevents.event_id", id),
			attribute.String("cloudevents.event_type", typ),
		))
}

// endProcess ends span with the outcome of processing: an error (the
// record was dead-lettered, or the consumer stops) marks it failed.
func endProcess(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// deadLettered marks ctx's consumer span failed: its record went to the
// dead-letter topic because of cause.
func deadLettered(ctx context.Context, cause error) {
	span := trace.SpanFromContext(ctx)
	span.RecordError(cause)
	span.SetStatus(codes.Error, "dead-lettered: "+cause.Error())
}
