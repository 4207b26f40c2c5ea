package svcclient

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/rapport-crm/rapport/libs/auth"
)

// TestCallsCarryTheTrace checks a call made while serving a traced request
// sends a traceparent of that trace, from a client span of its own.
func TestCallsCarryTheTrace(t *testing.T) {
	otel.SetTracerProvider(sdktrace.NewTracerProvider())
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	var got string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Traceparent")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"accessToken":"internal","expiresIn":60}`))
	}))
	defer gw.Close()
	c, err := New(gw.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := otel.Tracer("test").Start(t.Context(), "request")
	defer span.End()
	if _, err := c.Token(auth.WithToken(ctx, "user"), "contacts"); err != nil {
		t.Fatal(err)
	}
	sc := span.SpanContext()
	parts := strings.Split(got, "-")
	if len(parts) != 4 || parts[1] != sc.TraceID().String() || parts[2] == sc.SpanID().String() {
		t.Errorf("the gateway got traceparent %q, want trace %s from a client span under %s", got, sc.TraceID(), sc.SpanID())
	}
}
