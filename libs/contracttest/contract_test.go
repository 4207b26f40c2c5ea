package contracttest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/starter"
)

// shopContract returns the contract of testdata/api/openapi.yaml and the
// URL of a server that answers GET /v1/orders/{id} with body.
func shopContract(t *testing.T, body string) (*contracttest.Contract, string) {
	t.Helper()
	yaml, err := os.ReadFile("testdata/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := starter.LoadOpenAPI(context.Background(), yaml)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return contracttest.NewContract(t, doc, nil), srv.URL
}

func TestContractDo(t *testing.T) {
	c, base := shopContract(t, `{"id":"o1"}`)
	var r contracttest.Reply
	if got := failures(t, func(tb testing.TB) { r = c.Do(tb, contracttest.NewRequest(tb, "GET", base+"/v1/orders/o1", nil)) }); len(got) != 0 {
		t.Errorf("a request and response of the contract fail: %q", got)
	}
	if r.Status != http.StatusOK || contracttest.Decode[struct{ ID string }](r).ID != "o1" {
		t.Errorf("reply %d %s", r.Status, r.Raw)
	}

	bad, badBase := shopContract(t, `{"id":"o1","secret":true}`)
	wantFailure(t, failures(t, func(tb testing.TB) { bad.Do(tb, contracttest.NewRequest(tb, "GET", badBase+"/v1/orders/o1", nil)) }),
		"GET /v1/orders/o1: response 200 does not match api/openapi.yaml")
	wantFailure(t, failures(t, func(tb testing.TB) { c.Do(tb, contracttest.NewRequest(tb, "GET", base+"/v1/invoices", nil)) }),
		"GET /v1/invoices is not in api/openapi.yaml")
	// A request the contract rejects (an order without an id) must not
	// succeed.
	wantFailure(t, failures(t, func(tb testing.TB) {
		c.Do(tb, contracttest.NewRequest(tb, "POST", base+"/v1/orders", map[string]int{"n": 1}))
	}), "POST /v1/orders: the contract rejects the request")
}

func TestNewRequest(t *testing.T) {
	req := contracttest.NewRequest(t, "PATCH", "http://x/v1/orders/o1", map[string]string{"id": "o1"}, "If-Match", `"3"`)
	if req.Header.Get("Content-Type") != mergepatch.ContentType || req.Header.Get("If-Match") != `"3"` || req.ContentLength != int64(len(`{"id":"o1"}`)) {
		t.Errorf("PATCH: %v, %d bytes", req.Header, req.ContentLength)
	}
	req = contracttest.NewRequest(t, "POST", "http://x/v1/orders", `{"raw":`)
	if req.Header.Get("Content-Type") != "application/json" || req.ContentLength != int64(len(`{"raw":`)) {
		t.Errorf("POST of a string: %v, %d bytes", req.Header, req.ContentLength)
	}
	if req = contracttest.NewRequest(t, "GET", "http://x/v1/orders", nil); req.Header.Get("Content-Type") != "" {
		t.Errorf("GET: %v", req.Header)
	}
}

func TestDecodeFailsOnAWrongBody(t *testing.T) {
	wantFailure(t, failures(t, func(tb testing.TB) {
		contracttest.Decode[[]int](contracttest.Reply{T: tb, Status: 200, Raw: []byte(`{"id":"o1"}`)})
	}), "the body (status 200) is no []int")
}
