package kitx_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
)

func TestKindToStatusThroughServer(t *testing.T) {
	srv, _ := newTestServer(t)
	tests := []struct {
		kind       errs.Kind
		wantStatus int
	}{
		{errs.Invalid, 400},
		{errs.Unauthenticated, 401},
		{errs.Forbidden, 403},
		{errs.NotFound, 404},
		{errs.Conflict, 409},
		{errs.Gone, 410},
		{errs.PreconditionFailed, 412},
		{errs.MethodNotAllowed, 405},
		{errs.Unprocessable, 422},
		{errs.UpgradeRequired, 426},
		{errs.TooLarge, 413},
		{errs.RateLimited, 429},
		{errs.Internal, 500},
		{errs.NotImplemented, 501},
		{errs.Unavailable, 503},
		{errs.Kind(99), 500},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			resp, body := do(t, http.MethodGet, srv.URL+"/fail?kind="+strconv.Itoa(int(tt.kind)), "", nil, nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status got %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			p := problemOf(t, resp, body)
			if got, want := p.Title, http.StatusText(tt.wantStatus); got != want {
				t.Errorf("title got %q, want %q", got, want)
			}
			if got, want := p.Instance, "/fail"; got != want {
				t.Errorf("instance got %q, want %q", got, want)
			}
			wantType, wantDetail := kitx.ProblemTypeBase+"test-"+tt.kind.String(), "message of "+tt.kind.String()
			if tt.wantStatus == 500 {
				wantType = kitx.ProblemTypeBase + "internal"
				wantDetail = "an unexpected error occurred"
			}
			if p.Type != wantType {
				t.Errorf("type got %q, want %q", p.Type, wantType)
			}
			if !strings.HasPrefix(p.Detail, wantDetail) {
				t.Errorf("detail got %q, want prefix %q", p.Detail, wantDetail)
			}
			gotAuth, wantAuth := resp.Header.Get("WWW-Authenticate"), ""
			if tt.wantStatus == 401 {
				wantAuth = `Bearer realm="rapport"`
			}
			if gotAuth != wantAuth {
				t.Errorf("WWW-Authenticate got %q, want %q", gotAuth, wantAuth)
			}
		})
	}
}

func TestInternalErrorIsLoggedNotLeaked(t *testing.T) {
	srv, logs := newTestServer(t)
	resp, body := do(t, http.MethodGet, srv.URL+"/fail?kind=-1", "", nil, nil)
	if resp.StatusCode != 500 {
		t.Fatalf("status got %d, want 500", resp.StatusCode)
	}
	p := problemOf(t, resp, body)
	if strings.Contains(string(body), "secret_admin") || strings.Contains(string(body), "pq:") {
		t.Errorf("body %s leaks the internal error", body)
	}
	var logged bool
	for _, l := range logs.lines(t) {
		if l["msg"] == "internal error" {
			logged = true
			if got, want := l["request_id"], p.RequestID; got != want {
				t.Errorf("log request_id got %v, want %q", got, want)
			}
			if got := l["error"]; !strings.Contains(got.(string), "secret_admin") {
				t.Errorf("log error got %q, want the cause", got)
			}
			if got, want := l["path"], "/fail"; got != want {
				t.Errorf("log path got %v, want %q", got, want)
			}
		}
	}
	if !logged {
		t.Errorf("no internal error logged")
	}
}

func TestWriteProblemFromPlainHandler(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantType   string
		wantFields int
	}{
		{"unauthenticated", errs.New(errs.Unauthenticated, "token-expired", "the token has expired"), 401, "token-expired", 0},
		{"validation", errs.Invalidf([]errs.FieldError{{Field: "a", Reason: "x"}, {Field: "b", Reason: "y"}}, "bad"), 400, "validation-failed", 2},
		{"wrapped sentinel", errors.Join(errors.New("ctx"), errs.New(errs.NotFound, "contact-not-found", "contact not found")), 404, "contact-not-found", 0},
		{"slugless", &errs.Error{Kind: errs.Conflict, Message: "m"}, 409, "conflict", 0},
		{"plain", errors.New("boom"), 500, "internal", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := kitx.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				kitx.WriteProblem(w, r, tt.err)
			}))
			srv := httptest.NewServer(h)
			defer srv.Close()
			resp, body := do(t, http.MethodGet, srv.URL+"/x", "", nil, nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status got %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			p := problemOf(t, resp, body)
			if got, want := p.Type, kitx.ProblemTypeBase+tt.wantType; got != want {
				t.Errorf("type got %q, want %q", got, want)
			}
			if got := len(p.Errors); got != tt.wantFields {
				t.Errorf("errors got %d, want %d", got, tt.wantFields)
			}
		})
	}
}

// TestWriteProblemMintsRequestID checks that a problem written outside the
// RequestID middleware still carries an id.
func TestWriteProblemMintsRequestID(t *testing.T) {
	w := httptest.NewRecorder()
	kitx.WriteProblem(w, httptest.NewRequest(http.MethodGet, "/x", nil), errs.New(errs.Forbidden, "forbidden", "no"))
	resp := w.Result()
	p := problemOf(t, resp, w.Body.Bytes())
	if p.RequestID == "" {
		t.Errorf("requestId got empty, want a minted id")
	}
}
