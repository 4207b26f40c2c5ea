package events

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/rapport-crm/rapport/libs/testkit"
)

// recordSpans installs a tracer provider recording every span and the W3C
// propagator for the test, as obs.StartTracing does with an endpoint.
func recordSpans(t *testing.T) *tracetest.SpanRecorder {
	spans := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	return spans
}

// TestTraceParentInTheEnvelope checks ce_traceparent is written only for an
// event that has a trace context and read back as it was.
func TestTraceParentInTheEnvelope(t *testing.T) {
	ev, err := New("/rapport/test", "dev.rapport.test.thing.created.v1", uuid.NewString(), uuid.NewString(), map[string]int{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range ev.Message("t").Headers {
		if h.Key == HeaderTraceParent {
			t.Errorf("an event without a trace context has %s %q", h.Key, h.Value)
		}
	}
	ev.TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	back, err := Parse(ev.Message("t"))
	if err != nil || back.TraceParent != ev.TraceParent {
		t.Errorf("Parse(Message) = %q, %v; want traceparent %q", back.TraceParent, err, ev.TraceParent)
	}
}

// TestConsumerSpansFollowTheEventsTrace checks each record is processed in
// a consumer span whose parent is the span its ce_traceparent names, that
// the handler's context carries that span, and that a dead-lettered record
// keeps its ce_traceparent and fails its span.
func TestConsumerSpansFollowTheEventsTrace(t *testing.T) {
	spans := recordSpans(t)
	f := newConsumerFixture(t)
	var (
		mu      sync.Mutex
		handled = map[string]trace.SpanContext{} // event id → the handler's span
		applied atomic.Int64
	)
	f.run(t, ConsumerConfig{MaxAttempts: 2, Backoff: 10 * time.Millisecond, Handler: func(ctx context.Context, tx *sqlx.Tx, ev Event) error {
		if ev.Type == "dev.rapport.test.poison.created.v1" {
			return errors.New("cannot handle poison")
		}
		mu.Lock()
		handled[ev.ID] = trace.SpanContextFromContext(ctx)
		mu.Unlock()
		applied.Add(1)
		return nil
	}}, nil)

	publish := func(typ, traceparent string) Event {
		ev, err := New("/rapport/test", typ, uuid.NewString(), f.tenant, map[string]string{})
		if err != nil {
			t.Fatal(err)
		}
		ev.TraceParent = traceparent
		if err := f.pub.Publish(t.Context(), ev.Message(f.topic)); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	const goodTP, poisonTP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	good := publish("dev.rapport.test.thing.created.v1", goodTP)
	poison := publish("dev.rapport.test.poison.created.v1", poisonTP)
	testkit.Eventually(t, 30*time.Second, "the good event applied", func() (bool, string) { return applied.Load() == 1, "" })

	dl := testkit.ReadTopic(t, f.brokers, DLQ(f.topic), 1, 15*time.Second)
	var kept string
	for _, h := range dl[0].Headers {
		if h.Key == HeaderTraceParent {
			kept = string(h.Value)
		}
	}
	if kept != poisonTP {
		t.Errorf("the dead-lettered copy has %s %q, want %q", HeaderTraceParent, kept, poisonTP)
	}

	want := trace.SpanContextFromContext(WithTraceParent(t.Context(), goodTP))
	poisonTrace := trace.SpanContextFromContext(WithTraceParent(t.Context(), poisonTP)).TraceID()
	var poisonSpan sdktrace.ReadOnlySpan
	testkit.Eventually(t, 30*time.Second, "both consumer spans ended", func() (bool, string) {
		n := 0
		for _, s := range spans.Ended() {
			if s.Name() == "process "+f.topic {
				n++
				if s.SpanContext().TraceID() == poisonTrace {
					poisonSpan = s
				}
			}
		}
		return n == 2, ""
	})
	mu.Lock()
	got := handled[good.ID]
	mu.Unlock()
	var goodSpan sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		if s.SpanContext().SpanID() == got.SpanID() {
			goodSpan = s
		}
	}
	if goodSpan == nil || goodSpan.SpanKind() != trace.SpanKindConsumer || got.TraceID() != want.TraceID() || goodSpan.Parent().SpanID() != want.SpanID() {
		t.Errorf("the handler ran in span %v of trace %v, want a consumer span under the event's %s", got.SpanID(), got.TraceID(), goodTP)
	}
	if poisonSpan == nil || poisonSpan.Status().Code != codes.Error {
		t.Errorf("the dead-lettered event %s's span did not fail: %v", poison.ID, poisonSpan)
	}
}
