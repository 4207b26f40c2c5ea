package stack

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Response is an HTTP answer read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Decode unmarshals the body into v, failing the test when it cannot.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Request is one call: Token is sent as a bearer token when set; Body is
// sent as JSON (merge-patch JSON for PATCH) unless nil, a Raw body as it
// is; Header adds headers.
type Request struct {
	Method, URL, Token string
	Body               any
	Header             map[string]string
}

// Raw is a request body sent as it is, with its Content-Type: a multipart
// upload, say.
type Raw struct {
	ContentType string
	Data        []byte
}

// client never follows redirects, so a 301 is seen as such.
var client = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Do sends r and returns the answer, failing the test on transport errors.
func Do(t testing.TB, r Request) Response {
	t.Helper()
	var body io.Reader
	ct := "application/json"
	if r.Method == http.MethodPatch && !strings.Contains(r.URL, "/v1/users/") {
		ct = "application/merge-patch+json" // the services' PATCH is a JSON merge patch
	}
	switch b := r.Body.(type) {
	case nil:
	case Raw:
		body, ct = bytes.NewReader(b.Data), b.ContentType
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(r.Method, r.URL, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", ct)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", r.Method, r.URL, err)
	}
	rememberExchange(r.Token, r.Body, res, b) // no log line may hold them (ScanLog)
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// Must is Do failing the test unless the status is want; it decodes the
// body into out when out is not nil.
func Must(t testing.TB, r Request, want int, out any) Response {
	t.Helper()
	res := Do(t, r)
	if res.Status != want {
		t.Fatalf("%s %s = %d %s, want %d", r.Method, r.URL, res.Status, res.Body, want)
	}
	if out != nil {
		res.Decode(t, out)
	}
	return res
}
