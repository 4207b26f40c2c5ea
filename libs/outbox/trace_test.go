package outbox

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestRelayWritesTheTraceparentOfTheChange checks an event added inside a
// span is published with that span's traceparent (ce_traceparent), and one
// added outside any span without the header.
func TestRelayWritesTheTraceparentOfTheChange(t *testing.T) {
	otel.SetTracerProvider(sdktrace.NewTracerProvider())
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	f := newFixture(t)
	brokers := testkit.Kafka(t, kfake.SeedTopics(1, f.topic))
	add := func(ctx context.Context, key string) {
		ev, err := events.New("/rapport/test", "dev.rapport.test.thing.updated.v1", key, f.tenant, map[string]string{})
		if err != nil {
			t.Fatal(err)
		}
		if err := pg.WithTenantTx(ctx, f.db, f.tenant, func(tx *sqlx.Tx) error { return Add(ctx, tx, f.topic, ev) }); err != nil {
			t.Fatal(err)
		}
	}
	traced, span := otel.Tracer("test").Start(t.Context(), "change")
	add(traced, "traced")
	span.End()
	add(t.Context(), "untraced")
	f.startRelay(t, brokers, nil)

	want := map[string]string{"traced": events.TraceParent(traced), "untraced": ""}
	if want["traced"] == "" {
		t.Fatal("the propagator wrote no traceparent for a recording span")
	}
	for _, r := range testkit.ReadTopic(t, brokers, f.topic, 2, 15*time.Second) {
		var got string
		for _, h := range r.Headers {
			if h.Key == events.HeaderTraceParent {
				got = string(h.Value)
			}
		}
		if got != want[string(r.Key)] {
			t.Errorf("event %s: %s %q, want %q", r.Key, events.HeaderTraceParent, got, want[string(r.Key)])
		}
	}
}
