package sales_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/contracttest"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/sales"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is the service as libs/starter runs it in production, on a fresh
// database and an in-process Kafka, with a gateway signer whose JWKS the
// service fetches over HTTP.
type env struct {
	t       *testing.T
	base    string // the service's URL
	signer  *auth.Signer
	router  routers.Router
	admin   *sqlx.DB
	brokers []string
}

// user is a caller: a principal of a tenant with permissions.
type user struct {
	tenant, id string
	perms      []string
}

// newUser returns a user of tenant with every sales permission.
func newUser(tenant string) user {
	return user{tenant: tenant, id: uuid.NewString(), perms: []string{"sales:*"}}
}

// as returns u with perms instead of its own.
func (u user) as(perms ...string) user {
	u.perms = perms
	return u
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testkit.Postgres(t)
	topic := registry.MustTopic("", registry.Sales)
	brokers := testkit.Kafka(t, kfake.SeedTopics(1, topic, events.DLQ(topic)))
	signer, err := auth.NewSigner()
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := signer.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	keys := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(jwks) }))
	t.Cleanup(keys.Close)
	doc, err := sales.OpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	cfg := starter.Config{Name: registry.Sales, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: keys.URL, CursorKey: bytes.Repeat([]byte("k"), 32)}
	in, err := starter.Start(ctx, cfg, sales.Starter(), quiet)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop()
		if err := in.Wait(); err != nil {
			t.Errorf("the service stopped with %v", err)
		}
	})
	e := &env{t: t, base: "http://" + in.Addr(), signer: signer, router: router, admin: testkit.Open(t, db.AdminURL), brokers: brokers}
	if err := proc.WaitReady(ctx, e.base, time.Minute); err != nil {
		t.Fatal(err)
	}
	return e
}

// do sends a request as u and validates it and its response against
// api/openapi.yaml: a response must always match; a request the contract
// rejects must not succeed. headers are name, value pairs.
func (e *env) do(u user, method, path string, body any, headers ...string) reply {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, e.base+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
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
	e.authorize(req, u)
	route, params, err := e.router.FindRoute(req)
	if err != nil {
		e.t.Fatalf("%s %s is not in api/openapi.yaml: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	req.Body = io.NopCloser(bytes.NewReader(raw))
	out := e.send(req)
	if reqErr != nil && out.status < 400 {
		e.t.Errorf("%s %s: the contract rejects the request (%v) but the service answered %d", method, path, reqErr, out.status)
	}
	if err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: out.status, Header: out.header,
		Body: io.NopCloser(bytes.NewReader(out.raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}); err != nil {
		e.t.Errorf("%s %s: response %d does not match api/openapi.yaml: %v\n%s", method, path, out.status, err, out.raw)
	}
	return out
}

// send sends req and reads its reply.
func (e *env) send(req *http.Request) reply {
	e.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := reply{t: e.t, status: resp.StatusCode, header: resp.Header}
	if out.raw, err = io.ReadAll(resp.Body); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// authorize gives req the internal token of u, unless u is nobody.
func (e *env) authorize(req *http.Request, u user) {
	e.t.Helper()
	if u.tenant == "" {
		return
	}
	tok, err := e.signer.Sign(auth.Principal{TenantID: u.tenant, UserID: u.id, Permissions: u.perms,
		RecordScope: map[string]auth.Scope{"sales": auth.ScopeAll}}, registry.Sales, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
}

// want fails the test unless r has status.
func (e *env) want(r reply, status int) reply {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// published returns every event the service has published so far, in
// order (contracttest.Published).
func (e *env) published() []events.Event {
	e.t.Helper()
	return contracttest.Published(e.t, e.admin, e.brokers, registry.MustTopic("", registry.Sales))
}

// reply is a response: its status, headers and body. Tests read the body
// as a typed value, so that a wrong answer fails the test instead of
// panicking.
type reply struct {
	t      *testing.T
	status int
	header http.Header
	raw    []byte
}

// decode returns r's JSON body as a T; a body that does not decode as a T
// fails the test.
func decode[T any](r reply) T {
	r.t.Helper()
	var v T
	if err := json.Unmarshal(r.raw, &v); err != nil {
		r.t.Fatalf("the body (status %d) is no %T: %v\n%s", r.status, v, err, r.raw)
	}
	return v
}

// problemBody is a problem+json body (RFC 9457) with the invalid fields.
type problemBody struct {
	Type   string `json:"type"`
	Detail string `json:"detail"`
	Errors []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

// fields returns the fields a problem names, in order.
func (r reply) fields() []string {
	r.t.Helper()
	var out []string
	for _, f := range decode[problemBody](r).Errors {
		out = append(out, f.Field)
	}
	return out
}
