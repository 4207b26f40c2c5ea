package obs_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/libs/obs"
)

func scrape(t *testing.T, m *obs.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d", rec.Code)
	}
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestMetricsScrape(t *testing.T) {
	m := obs.NewMetrics("contacts")

	api := http.NewServeMux()
	api.HandleFunc("GET /v1/contacts/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "missing" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "{}")
	})
	api.HandleFunc("POST /v1/accounts", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) })
	srv := httptest.NewServer(m.InstrumentMux(api))
	defer srv.Close()

	for _, u := range []string{
		srv.URL + "/v1/contacts/0190a1b2-0000-7000-8000-000000000001",
		srv.URL + "/v1/contacts/missing",
		srv.URL + "/no/such/route",
	} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Post(srv.URL+"/v1/accounts", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	m.OutboxBacklog(7)
	m.Published(3)
	m.ConsumerLag("rapport.sales.v1", "reporting", 42)
	m.DeadLettered("rapport.sales.v1")
	m.TopicMissing("rapport.support.v1", "reporting", true)

	body := scrape(t, m)
	for _, want := range []string{
		`rapport_http_request_duration_seconds_count{method="GET",route="/v1/contacts/{id}",service="contacts",status="200"} 1`,
		`rapport_http_request_duration_seconds_count{method="GET",route="/v1/contacts/{id}",service="contacts",status="404"} 1`,
		`rapport_http_request_duration_seconds_count{method="GET",route="unmatched",service="contacts",status="404"} 1`,
		`rapport_http_request_duration_seconds_bucket{method="POST",route="/v1/accounts",service="contacts",status="201",le="+Inf"} 1`,
		`rapport_outbox_backlog{service="contacts"} 7`,
		`rapport_outbox_published_total{service="contacts"} 3`,
		`rapport_consumer_lag{group="reporting",service="contacts",topic="rapport.sales.v1"} 42`,
		`rapport_events_dlq_total{service="contacts",topic="rapport.sales.v1"} 1`,
		`rapport_consumer_topic_missing{group="reporting",service="contacts",topic="rapport.support.v1"} 1`,
		`go_goroutines `,
		`process_cpu_seconds_total `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if strings.Contains(body, "0190a1b2") {
		t.Error("scrape contains a raw path; want only route templates")
	}
}

func TestNilMetricsIsNoop(t *testing.T) {
	var m *obs.Metrics
	m.OutboxBacklog(1)
	m.Published(1)
	m.ConsumerLag("t", "g", 1)
	m.DeadLettered("t")
	m.TopicMissing("t", "g", true)
	h := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if got := m.InstrumentMux(h); got == nil {
		t.Error("InstrumentMux on nil Metrics returned nil")
	}
}

func TestRouteOf(t *testing.T) {
	for _, tc := range []struct{ pattern, want string }{
		{"", obs.UnmatchedRoute},
		{"/v1/contacts", "/v1/contacts"},
		{"GET /v1/contacts/{id}", "/v1/contacts/{id}"},
		{"POST example.com/v1/leads", "/v1/leads"},
		{"example.com/", "/"},
	} {
		if got := obs.RouteOf(tc.pattern); got != tc.want {
			t.Errorf("RouteOf(%q): got %q, want %q", tc.pattern, got, tc.want)
		}
	}
}

func TestNewLogger(t *testing.T) {
	var buf bytes.Buffer
	level, err := obs.ParseLevel("WARN")
	if err != nil {
		t.Fatal(err)
	}
	log := obs.NewLogger("sales", &buf, level)
	log.Info("dropped")
	log.Warn("kept", slog.Int("n", 1))

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1: %q", len(lines), buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if rec["service"] != "sales" || rec["msg"] != "kept" || rec["level"] != "WARN" {
		t.Errorf("got %v, want service=sales msg=kept level=WARN", rec)
	}
}

func TestParseLevel(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    slog.Level
		wantErr bool
	}{
		{"", slog.LevelInfo, false},
		{"debug", slog.LevelDebug, false},
		{"Info", slog.LevelInfo, false},
		{"warning", slog.LevelWarn, false},
		{"error", slog.LevelError, false},
		{"loud", 0, true},
	} {
		got, err := obs.ParseLevel(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseLevel(%q): got %v, %v; want %v, err=%v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestMetricsSwitchedProtocols: a request whose connection is hijacked to
// switch protocols (a WebSocket) is recorded as a 101 whose duration ends
// at the switch; the life of the socket (two seconds held open here) is not
// the request's latency.
func TestMetricsSwitchedProtocols(t *testing.T) {
	m := obs.NewMetrics("support")
	release, done := make(chan struct{}), make(chan struct{})
	api := http.NewServeMux()
	api.HandleFunc("GET /ws", func(w http.ResponseWriter, _ *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack through InstrumentMux: %v", err)
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
		_ = brw.Flush()
		<-release
	})
	instrumented := m.InstrumentMux(api)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		instrumented.ServeHTTP(w, r)
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("the switch: %v, %v", resp, err)
	}
	time.Sleep(2 * time.Second)
	close(release)
	<-done

	body := scrape(t, m)
	const series = `rapport_http_request_duration_seconds_sum{method="GET",route="/ws",service="support",status="101"} `
	i := strings.Index(body, series)
	if i < 0 {
		t.Fatalf("scrape lacks %q:\n%s", series, body)
	}
	line, _, _ := strings.Cut(body[i+len(series):], "\n")
	sum, err := strconv.ParseFloat(line, 64)
	if err != nil {
		t.Fatalf("the sum %q: %v", line, err)
	}
	if sum >= 2 {
		t.Errorf("the socket's request lasted %.3f s: its life was counted, not its switch", sum)
	}
}
