package starter_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/obs"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// tracedNotes is the notes service whose consumer also adds an event of
// its own to the outbox, in the handler's transaction.
func tracedNotes() starter.Service {
	s := notes(make(chan struct{}, 1))
	build := s.Build
	s.Build = func(ctx context.Context, env starter.Env) (starter.API, error) {
		api, err := build(ctx, env)
		if err != nil {
			return api, err
		}
		handle := api.Consumers[0].Handler
		api.Consumers[0].Handler = func(ctx context.Context, tx *sqlx.Tx, ev events.Event) error {
			if err := handle(ctx, tx, ev); err != nil {
				return err
			}
			followUp, err := events.New("/rapport/notes", "dev.rapport.notes.note.created.v1", ev.Subject, ev.TenantID, map[string]string{})
			if err != nil {
				return err
			}
			return outbox.Add(ctx, tx, env.Topic, followUp)
		}
		return api, nil
	}
	return s
}

// noteRecords reads the records of topic from its start, n at most, within
// a minute.
func noteRecords(t *testing.T, brokers []string, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) < n && ctx.Err() == nil {
		recs = append(recs, cl.PollRecords(ctx, n-len(recs)).Records()...)
	}
	if len(recs) < n {
		t.Fatalf("%s holds %d records, want %d", topic, len(recs), n)
	}
	return recs
}

// header returns the value of record r's header key, and whether it has it.
func header(r *kgo.Record, key string) (string, bool) {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}

// postNote starts tracedNotes and creates a note through its API; it
// returns the service's brokers and the note's event.
func postNote(t *testing.T) ([]string, *kgo.Record) {
	brokers, rec, _ := postNoteAt(t)
	return brokers, rec
}

// postNoteAt is postNote that also returns the service's base URL.
func postNoteAt(t *testing.T) ([]string, *kgo.Record, string) {
	t.Helper()
	notesTopic, contactsTopic := events.Topic("", "notes"), events.Topic("", "contacts")
	db := testkit.Postgres(t)
	brokers := testkit.Kafka(t, kfake.SeedTopics(1, notesTopic, events.DLQ(notesTopic), contactsTopic, events.DLQ(contactsTopic)))
	signer, jwks := contracttest.Gateway(t)
	in := started(t, tracedNotes(), db, brokers, jwks)
	base := "http://" + in.Addr()
	if err := proc.WaitReady(t.Context(), base, time.Minute); err != nil {
		t.Fatal(err)
	}
	writer := &auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString(), Permissions: []string{"notes:*"}}
	if resp, body := call(t, signer, writer, "POST", base+"/v1/notes", `{"text":"traced"}`); resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/notes: %d %s", resp.StatusCode, body)
	}
	return brokers, noteRecords(t, brokers, notesTopic, 1)[0], base
}

// TestNoTraceparentWithoutTracing checks that with no OTEL_* variable set
// a service's events carry no trace context and no tracer provider that
// exports is installed.
func TestNoTraceparentWithoutTracing(t *testing.T) {
	for _, k := range []string{obs.EnvOTLPEndpoint, obs.EnvOTLPTracesEndpoint} {
		t.Setenv(k, "")
	}
	shutdown, err := obs.StartTracing(t.Context(), "notes")
	if err != nil {
		t.Fatal(err)
	}
	defer obs.StopTracing(shutdown, quiet)
	if _, sdk := otel.GetTracerProvider().(*sdktrace.TracerProvider); sdk {
		t.Fatal("StartTracing installed an SDK tracer provider without an OTLP endpoint")
	}
	_, rec := postNote(t)
	if tp, ok := header(rec, events.HeaderTraceParent); ok {
		t.Errorf("the note's event carries %s %q with tracing off", events.HeaderTraceParent, tp)
	}
}

// TestTraceThroughRequestKafkaAndConsumer checks that one trace goes from
// a request to a service, through the event its change adds to the outbox
// (ce_traceparent), to the span of the consumer that processes it and the
// event that consumer's handler adds in turn.
func TestTraceThroughRequestKafkaAndConsumer(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	ended := func(name string) []sdktrace.ReadOnlySpan {
		var out []sdktrace.ReadOnlySpan
		for _, s := range spans.Ended() {
			if s.Name() == name {
				out = append(out, s)
			}
		}
		return out
	}

	brokers, rec, base := postNoteAt(t)
	// Traced, a request still counts under its route.
	if _, metrics := call(t, nil, nil, "GET", base+"/metrics", ""); !bytes.Contains(metrics, []byte(`route="/v1/notes"`)) {
		t.Errorf("with tracing on, /metrics has no series for the route /v1/notes")
	}
	tp, ok := header(rec, events.HeaderTraceParent)
	if !ok {
		t.Fatalf("the note's event has no %s header", events.HeaderTraceParent)
	}
	published := trace.SpanContextFromContext(events.WithTraceParent(t.Context(), tp))
	testkit.Eventually(t, time.Minute, "the request's span", func() (bool, string) {
		got := ended("POST /v1/notes")
		return len(got) == 1, "spans: " + spanNames(spans.Ended())
	})
	request := ended("POST /v1/notes")[0]
	if request.SpanKind() != trace.SpanKindServer || request.SpanContext().TraceID() != published.TraceID() {
		t.Errorf("the request's span is a %v span of trace %v; the event says %s", request.SpanKind(), request.SpanContext().TraceID(), tp)
	}

	// Another context's event with that trace context is processed in a
	// child span, which the handler's own event carries on.
	ev, err := events.New("/rapport/contacts", "dev.rapport.contacts.contact.created.v1", uuid.NewString(), mustHeader(t, rec, events.HeaderTenantID), map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	ev.TraceParent = tp
	pub := events.NewPublisher(brokers)
	defer pub.Close()
	if err := pub.Publish(t.Context(), ev.Message(events.Topic("", "contacts"))); err != nil {
		t.Fatal(err)
	}
	followUp := noteRecords(t, brokers, events.Topic("", "notes"), 2)[1]
	testkit.Eventually(t, time.Minute, "the consumer's span", func() (bool, string) {
		return len(ended("process rapport.contacts.v1")) == 1, "spans: " + spanNames(spans.Ended())
	})
	consumer := ended("process rapport.contacts.v1")[0]
	if consumer.SpanKind() != trace.SpanKindConsumer || consumer.SpanContext().TraceID() != published.TraceID() ||
		consumer.Parent().SpanID() != published.SpanID() {
		t.Errorf("the consumer's span is a %v span of trace %v under span %v, want a consumer span under the event's %s",
			consumer.SpanKind(), consumer.SpanContext().TraceID(), consumer.Parent().SpanID(), tp)
	}
	next := trace.SpanContextFromContext(events.WithTraceParent(t.Context(), mustHeader(t, followUp, events.HeaderTraceParent)))
	if next.TraceID() != published.TraceID() || next.SpanID() != consumer.SpanContext().SpanID() {
		t.Errorf("the handler's event carries span %v of trace %v, want the consumer's span %v of trace %v",
			next.SpanID(), next.TraceID(), consumer.SpanContext().SpanID(), published.TraceID())
	}
}

// mustHeader returns record r's header key, failing the test without it.
func mustHeader(t *testing.T, r *kgo.Record, key string) string {
	t.Helper()
	v, ok := header(r, key)
	if !ok {
		t.Fatalf("record %s has no %s header", r.Key, key)
	}
	return v
}

// spanNames lists the names of spans, for failure messages.
func spanNames(spans []sdktrace.ReadOnlySpan) string {
	var s string
	for _, sp := range spans {
		s += sp.Name() + "; "
	}
	return s
}
