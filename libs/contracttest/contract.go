package contracttest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/rapport-crm/rapport/libs/mergepatch"
)

// Contract sends a test's requests to a service and checks each request
// and response against the service's OpenAPI document.
type Contract struct {
	router routers.Router
	client *http.Client
}

// NewContract returns the contract of doc, whose requests client sends
// (nil: http.DefaultClient).
func NewContract(t testing.TB, doc *openapi3.T, client *http.Client) *Contract {
	t.Helper()
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	if client == nil {
		client = http.DefaultClient
	}
	return &Contract{router: router, client: client}
}

// NewRequest returns a request of method to url with body: none for nil,
// a string as it is, anything else as its JSON, sent as application/json
// (a PATCH as a merge patch). headers are name, value pairs.
func NewRequest(t testing.TB, method, url string, body any, headers ...string) *http.Request {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if method == http.MethodPatch {
			req.Header.Set("Content-Type", mergepatch.ContentType)
		}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

// Do sends req (from NewRequest) and validates it and its response against
// the contract: a response must always match; a request the contract
// rejects must not succeed.
func (c *Contract) Do(t testing.TB, req *http.Request) Reply {
	t.Helper()
	raw := readBody(t, req)
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s is not in api/openapi.yaml: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	req.Body = io.NopCloser(bytes.NewReader(raw))
	out := c.Send(t, req)
	if reqErr != nil && out.Status < 400 {
		t.Errorf("%s %s: the contract rejects the request (%v) but the service answered %d", req.Method, req.URL.Path, reqErr, out.Status)
	}
	if err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: out.Status, Header: out.Header,
		Body: io.NopCloser(bytes.NewReader(out.Raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}); err != nil {
		t.Errorf("%s %s: response %d does not match api/openapi.yaml: %v\n%s", req.Method, req.URL.Path, out.Status, err, out.Raw)
	}
	return out
}

// Send sends req outside the contract, for what api/openapi.yaml does not
// describe (a path that does not exist), and reads its reply.
func (c *Contract) Send(t testing.TB, req *http.Request) Reply {
	t.Helper()
	resp, err := c.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := Reply{T: t, Status: resp.StatusCode, Header: resp.Header}
	if out.Raw, err = io.ReadAll(resp.Body); err != nil {
		t.Fatal(err)
	}
	return out
}

// readBody returns req's body, which it leaves unread.
func readBody(t testing.TB, req *http.Request) []byte {
	t.Helper()
	if req.Body == nil {
		return nil
	}
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(bytes.NewReader(raw))
	return raw
}

// Reply is a response: its status, headers and body. Tests read the body
// as a typed value (Decode), never as a map with type assertions, so that
// a wrong answer fails the test instead of panicking.
type Reply struct {
	T      testing.TB
	Status int
	Header http.Header
	Raw    []byte
}

// Replier is a Reply, or a test's own type of reply that embeds one (with
// its helpers), for Decode.
type Replier interface{ reply() Reply }

// reply implements Replier.
func (r Reply) reply() Reply { return r }

// Decode returns the JSON body of r's Reply as a T; a body that does not
// decode as a T fails the test.
func Decode[T any](rr Replier) T {
	r := rr.reply()
	r.T.Helper()
	var v T
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		r.T.Fatalf("the body (status %d) is no %T: %v\n%s", r.Status, v, err, r.Raw)
	}
	return v
}
