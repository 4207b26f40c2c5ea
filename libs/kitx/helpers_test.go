package kitx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

// cursorKey signs the cursors of the test server.
var cursorKey = []byte("0123456789abcdef0123456789abcdef")

// syncBuffer is a log sink safe to read while the server writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the JSON log records written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(b.buf.Bytes()), []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

type address struct {
	City string `json:"city"`
}

type createRequest struct {
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Age     int      `json:"age"`
	Address *address `json:"address,omitempty"`
	// Places checks that errors name array elements by index.
	Places []address `json:"places,omitempty"`
}

type createResponse struct {
	Name    string `json:"name"`
	Version int64  `json:"version"`
}

func (createResponse) StatusCode() int { return http.StatusCreated }
func (r createResponse) ETag() string  { return kitx.ETag(r.Version) }

type position struct {
	After string `json:"after"`
}

type listRequest struct {
	limit int
	after string
}

type listResponse struct {
	Limit      int    `json:"limit"`
	After      string `json:"after"`
	NextCursor string `json:"nextCursor"`
}

// newTestServer serves, through real go-kit servers wrapped in RequestID:
//
//	POST /contacts       strict decode, validation, 201 with ETag
//	GET  /fail?kind=N    the error of kind N (or a plain error for kind=-1)
//	GET  /contacts       limit and cursor parsing
//	DELETE /contacts     204
func newTestServer(t *testing.T) (*httptest.Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(kitx.LogHandler(slog.NewJSONHandler(logs, nil)))
	cursors, err := kitx.NewCursors(cursorKey)
	if err != nil {
		t.Fatal(err)
	}
	opts := kitx.ServerOptions(logger)

	create := kithttp.NewServer(
		func(ctx context.Context, request any) (any, error) {
			req := request.(createRequest)
			v := errs.NewValidator()
			v.Check(req.Name != "", "name", "required")
			v.Check(strings.Contains(req.Email, "@"), "email", "must be an email address")
			v.Check(req.Age >= 0, "age", "must not be negative")
			if err := v.Err(); err != nil {
				return nil, err
			}
			logger.InfoContext(ctx, "contact created", "name", req.Name)
			return createResponse{Name: req.Name, Version: 1}, nil
		},
		func(_ context.Context, r *http.Request) (any, error) {
			var req createRequest
			err := kitx.Decode(r, &req, 0)
			return req, err
		},
		kitx.EncodeJSON, opts...)

	fail := kithttp.NewServer(
		func(_ context.Context, request any) (any, error) {
			kind := request.(int)
			if kind < 0 {
				return nil, errors.New("pq: password authentication failed for user secret_admin")
			}
			return nil, errs.New(errs.Kind(kind), "test-"+errs.Kind(kind).String(), "message of "+errs.Kind(kind).String())
		},
		func(_ context.Context, r *http.Request) (any, error) {
			return strconv.Atoi(r.URL.Query().Get("kind"))
		},
		kitx.EncodeJSON, opts...)

	list := kithttp.NewServer(
		func(_ context.Context, request any) (any, error) {
			req := request.(listRequest)
			next := cursors.EncodeCursor(position{After: req.after + "x"})
			return listResponse{Limit: req.limit, After: req.after, NextCursor: next}, nil
		},
		func(_ context.Context, r *http.Request) (any, error) {
			limit, err := kitx.Limit(r)
			if err != nil {
				return nil, err
			}
			var pos position
			if c := r.URL.Query().Get("cursor"); c != "" {
				if err := cursors.DecodeCursor(c, &pos); err != nil {
					return nil, err
				}
			}
			return listRequest{limit: limit, after: pos.After}, nil
		},
		kitx.EncodeJSON, opts...)

	remove := kithttp.NewServer(
		func(context.Context, any) (any, error) { return nil, nil },
		func(context.Context, *http.Request) (any, error) { return nil, nil },
		kitx.EncodeJSON, opts...)

	mux := http.NewServeMux()
	mux.Handle("POST /contacts", create)
	mux.Handle("GET /contacts", list)
	mux.Handle("DELETE /contacts", remove)
	mux.Handle("GET /fail", fail)
	srv := httptest.NewServer(kitx.RequestID(mux))
	t.Cleanup(srv.Close)
	return srv, logs
}

// do sends a request and returns the response with its body read.
func do(t *testing.T, method, url, contentType string, body io.Reader, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// problemOf decodes a problem+json response, failing if it is not one.
func problemOf(t *testing.T, resp *http.Response, body []byte) kitx.Problem {
	t.Helper()
	if got, want := resp.Header.Get("Content-Type"), kitx.ProblemContentType; got != want {
		t.Fatalf("Content-Type got %q, want %q (body %s)", got, want, body)
	}
	var p kitx.Problem
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem %s: %v", body, err)
	}
	if p.Status != resp.StatusCode {
		t.Errorf("problem status got %d, want the response status %d", p.Status, resp.StatusCode)
	}
	if got, want := p.RequestID, resp.Header.Get(kitx.RequestIDHeader); got != want || got == "" {
		t.Errorf("problem requestId got %q, want the response header %q", got, want)
	}
	return p
}
