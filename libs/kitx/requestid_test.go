package kitx_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

func TestRequestID(t *testing.T) {
	srv, logs := newTestServer(t)
	valid := "abc-DEF_123.x"
	tests := []struct {
		name     string
		inbound  string
		wantEcho bool
	}{
		{"well formed is echoed", valid, true},
		{"128 chars is echoed", strings.Repeat("a", 128), true},
		{"absent is minted", "", false},
		{"too long is replaced", strings.Repeat("a", 129), false},
		{"bad characters are replaced", "abc def", false},
		{"injection is replaced", "x\",\"admin\":true", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.inbound != "" {
				h.Set(kitx.RequestIDHeader, tt.inbound)
			}
			resp, body := do(t, http.MethodPost, srv.URL+"/contacts", "application/json",
				strings.NewReader(`{"name":"`+tt.name+`","email":"a@b"}`), h)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status got %d, want 201 (%s)", resp.StatusCode, body)
			}
			got := resp.Header.Get(kitx.RequestIDHeader)
			if tt.wantEcho {
				if got != tt.inbound {
					t.Errorf("request id got %q, want %q", got, tt.inbound)
				}
			} else {
				u, err := uuid.Parse(got)
				if err != nil || u.Version() != 7 {
					t.Errorf("request id got %q, want a UUIDv7", got)
				}
			}
			var found bool
			for _, l := range logs.lines(t) {
				if l["msg"] == "contact created" && l["name"] == tt.name {
					found = true
					if l["request_id"] != got {
						t.Errorf("log request_id got %v, want %q", l["request_id"], got)
					}
				}
			}
			if !found {
				t.Errorf("no log line for the request")
			}
		})
	}
}

// TestServerOptionsWithoutMiddleware checks that a go-kit server built with
// ServerOptions echoes a request id even when not wrapped in RequestID.
func TestServerOptionsWithoutMiddleware(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		inbound    string
		wantStatus int
	}{
		{"success minted", nil, "", 200},
		{"success echoed", nil, "req-1", 200},
		{"error echoed", errs.New(errs.NotFound, "nope", "nope"), "req-2", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			srv := httptest.NewServer(kithttp.NewServer(
				func(ctx context.Context, _ any) (any, error) {
					seen = kitx.RequestIDFrom(ctx)
					return map[string]string{"ok": "yes"}, tt.err
				},
				func(context.Context, *http.Request) (any, error) { return nil, nil },
				kitx.EncodeJSON, kitx.ServerOptions(slog.Default())...))
			defer srv.Close()
			h := http.Header{}
			if tt.inbound != "" {
				h.Set(kitx.RequestIDHeader, tt.inbound)
			}
			resp, _ := do(t, http.MethodGet, srv.URL, "", nil, h)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status got %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			got := resp.Header.Get(kitx.RequestIDHeader)
			if got == "" || got != seen {
				t.Errorf("response id got %q, want the context's %q", got, seen)
			}
			if tt.inbound != "" && got != tt.inbound {
				t.Errorf("response id got %q, want %q", got, tt.inbound)
			}
		})
	}
}

func TestLogHandler(t *testing.T) {
	tests := []struct {
		name   string
		ctx    context.Context
		log    func(*slog.Logger, context.Context)
		wantID any
	}{
		{"context with id", kitx.WithRequestID(context.Background(), "r1"),
			func(l *slog.Logger, ctx context.Context) { l.InfoContext(ctx, "m") }, "r1"},
		{"context without id", context.Background(),
			func(l *slog.Logger, ctx context.Context) { l.InfoContext(ctx, "m") }, nil},
		{"explicit id wins", kitx.WithRequestID(context.Background(), "r1"),
			func(l *slog.Logger, ctx context.Context) { l.InfoContext(ctx, "m", kitx.RequestIDLogKey, "r2") }, "r2"},
		{"derived logger", kitx.WithRequestID(context.Background(), "r3"),
			func(l *slog.Logger, ctx context.Context) { l.With("a", 1).InfoContext(ctx, "m") }, "r3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := &syncBuffer{}
			tt.log(slog.New(kitx.LogHandler(slog.NewJSONHandler(buf, nil))), tt.ctx)
			lines := buf.lines(t)
			if len(lines) != 1 {
				t.Fatalf("lines got %d, want 1", len(lines))
			}
			if got := lines[0][kitx.RequestIDLogKey]; got != tt.wantID {
				t.Errorf("request_id got %v, want %v", got, tt.wantID)
			}
		})
	}
}
