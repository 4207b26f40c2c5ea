package contacts_test

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
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/proc"
	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/libs/starter"
	"github.com/rapport-crm/rapport/libs/testkit"

	"github.com/rapport-crm/rapport/services/contacts"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// noRedirects is the test client: it returns redirects (the 301 of a merged
// record) instead of following them.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// env is the service as libs/starter runs it in production, on a fresh
// database and an in-process Kafka, with a gateway signer whose JWKS the
// service fetches over HTTP. Its periodic jobs do not run: the tests run
// them when they choose.
type env struct {
	t       *testing.T
	base    string // the service's URL
	signer  *auth.Signer
	router  routers.Router
	admin   *sqlx.DB
	app     *sqlx.DB
	appURL  string
	brokers []string
	cfg     starter.Config // the service's, for replicas
}

// user is a caller: a principal of a tenant.
type user struct {
	tenant, id string
	scope      auth.Scope
	teams      []string
	perms      []string
}

// newUser returns a user of tenant with every permission and scope "all".
func newUser(tenant string) user {
	return user{tenant: tenant, id: uuid.NewString(), scope: auth.ScopeAll, perms: []string{"contacts:*"}}
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, testkit.Postgres(t))
}

// newEnvOn is newEnv on database db.
func newEnvOn(t *testing.T, db testkit.PG) *env {
	t.Helper()
	// One partition each: events in order. Of the topics the timeline
	// consumes, marketing's is left out: the service must run without it,
	// and the timeline's tests create it (timeline_test.go).
	var topics []string
	for _, name := range []string{registry.Contacts, registry.Sales, registry.Support} {
		topic := registry.MustTopic("", name)
		topics = append(topics, topic, events.DLQ(topic))
	}
	brokers := testkit.Kafka(t, kfake.SeedTopics(1, topics...))
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
	doc, err := contacts.OpenAPI(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	cfg := starter.Config{Name: registry.Contacts, HTTPAddr: "127.0.0.1:0", DatabaseURL: db.AppURL, MigrateURL: db.AdminURL,
		Brokers: brokers, JWKSURL: keys.URL, CursorKey: bytes.Repeat([]byte("k"), 32)}
	in, err := starter.Start(ctx, cfg, contacts.Starter(), quiet, starter.WithoutJobs())
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
	e := &env{t: t, base: "http://" + in.Addr(), signer: signer, router: router,
		admin: testkit.Open(t, db.AdminURL), app: testkit.Open(t, db.AppURL), appURL: db.AppURL, brokers: brokers, cfg: cfg}
	e.waitReady(ctx)
	return e
}

// waitReady waits until the service's /readyz answers 200: its database is
// migrated.
func (e *env) waitReady(ctx context.Context) {
	e.t.Helper()
	if err := proc.WaitReady(ctx, e.base, time.Minute); err != nil {
		e.t.Fatal(err)
	}
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
	resp, err := noRedirects.Do(req)
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
	tok, err := e.signer.Sign(auth.Principal{TenantID: u.tenant, UserID: u.id, Teams: u.teams, Permissions: u.perms,
		RecordScope: map[string]auth.Scope{"contacts": u.scope}}, "contacts", time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
}

// raw sends a request without a body as u, outside the contract: for what
// api/openapi.yaml does not describe, such as a path that does not exist.
func (e *env) raw(u user, method, path string) reply {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.authorize(req, u)
	return e.send(req)
}

// want fails the test unless r has status.
func (e *env) want(r reply, status int) reply {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	return r
}

// kafka is a client of the service's Kafka, closed at the end of the test.
func (e *env) kafka() *kgo.Client {
	e.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(cl.Close)
	return cl
}
